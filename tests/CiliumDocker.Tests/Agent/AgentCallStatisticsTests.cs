using CiliumDocker.Agent;
using NUnit.Framework;

namespace CiliumDocker.Tests.Agent;

internal sealed class AgentCallStatisticsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Reachable_NoAttemptYet_IsFalse()
    {
        Assert.That(new AgentCallStatistics().Reachable, Is.False);
    }

    [Test]
    public void Reachable_LatestAttemptWins()
    {
        var statistics = new AgentCallStatistics();

        statistics.RecordDelivered();
        var afterAnswer = statistics.Reachable;
        statistics.RecordNotDelivered(Now);
        var afterRefusedConnection = statistics.Reachable;
        statistics.RecordDelivered();

        Assert.Multiple(() =>
        {
            Assert.That(afterAnswer, Is.True);
            Assert.That(afterRefusedConnection, Is.False);
            Assert.That(statistics.Reachable, Is.True);
            Assert.That(statistics.OutageLength(Now), Is.Null);
        });
    }

    [Test]
    public void RecordFailure_KeepsTheLatestMessageAndCountsUnreachableOnes()
    {
        var statistics = new AgentCallStatistics();

        statistics.RecordFailure(AgentFailure.Unreachable, "connection refused");
        statistics.RecordFailure(AgentFailure.ServerError, "answered 500");

        Assert.Multiple(() =>
        {
            Assert.That(statistics.LastError, Is.EqualTo("answered 500"));
            Assert.That(statistics.Failures, Is.EqualTo(2));
            Assert.That(statistics.Unreachable, Is.EqualTo(1));
        });
    }

    [Test]
    public void OutageLongerThan_CountsFromTheFirstAttemptThatCouldNotConnect()
    {
        var statistics = new AgentCallStatistics();
        statistics.RecordNotDelivered(Now);
        statistics.RecordNotDelivered(Now.AddSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That(statistics.OutageLength(Now.AddSeconds(30)), Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(statistics.OutageLongerThan(TimeSpan.FromSeconds(20), Now.AddSeconds(30)), Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(statistics.OutageLongerThan(TimeSpan.FromSeconds(20), Now.AddSeconds(10)), Is.Null);
        });
    }
}
