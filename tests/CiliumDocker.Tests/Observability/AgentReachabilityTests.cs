using CiliumDocker.Cilium;
using CiliumDocker.Observability;
using CiliumDocker.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Observability;

internal sealed class AgentReachabilityTests
{
    private readonly FakeTimeProvider _time = new();

    [Test]
    public void Assess_NoEvidence_IsUnreachable()
    {
        Assert.That(new AgentReachability(_time).Assess(null).Reachable, Is.False);
    }

    [Test]
    public void Assess_LatestEvidenceWins()
    {
        var reachability = new AgentReachability(_time);
        var fetched = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromSeconds(1));
        reachability.RecordUnreachable("connection refused");
        var afterFailure = reachability.Assess(fetched);
        _time.Advance(TimeSpan.FromSeconds(1));
        reachability.RecordError("answered 500");
        var afterAnswer = reachability.Assess(fetched);

        Assert.Multiple(() =>
        {
            Assert.That(afterFailure, Is.EqualTo((false, "connection refused")));
            Assert.That(afterAnswer, Is.EqualTo((true, "answered 500")));
            Assert.That(reachability.Assess(_time.GetUtcNow() + TimeSpan.FromSeconds(1)).Reachable, Is.True, "a newer config fetch counts");
        });
    }

    [Test]
    public async Task ObservedAgent_ReportsEveryOutcome()
    {
        var reachability = new AgentReachability(_time);
        var inner = new InMemoryCiliumAgent(new AgentModel(_time));
        var observed = new ObservedCiliumAgent(inner, reachability);

        await observed.GetConfigAsync(CancellationToken.None);
        Assert.That(reachability.Assess(null).Reachable, Is.True);

        _time.Advance(TimeSpan.FromSeconds(1));
        inner.Unreachable = true;
        Assert.ThrowsAsync<CiliumAgentException>(() => observed.ReleaseAsync("10.11.0.2", "default", CancellationToken.None));
        Assert.That(reachability.Assess(null).Reachable, Is.False);
    }
}
