using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;
using CiliumDocker.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Agent;

/// <summary>The Docker call's deadline bounds every agent call made for it; an agent away for longer stops being waited for.</summary>
[TestFixture]
[CancelAfter(20_000)]
internal sealed class CiliumAgentClientDeadlineTests
{
    private FakeAgentServer _agent = null!;
    private FakeTimeProvider _time = null!;
    private AgentCallStatistics _statistics = null!;

    [SetUp]
    public async Task StartAgent()
    {
        _agent = await FakeAgentServer.StartUnixAsync();
        _time = new FakeTimeProvider();
        _statistics = new AgentCallStatistics();
    }

    [TearDown]
    public async Task StopAgent() => await _agent.DisposeAsync();

    [Test]
    public void CallDeadline_Bound_TakesTheShorterOfBudgetAndWhatIsLeft()
    {
        Assert.That(CallDeadline.Bound(TimeSpan.FromSeconds(20), _time), Is.EqualTo(TimeSpan.FromSeconds(20)), "outside a Docker call: the client's budget");
        using (CallDeadline.Start(_time, TimeSpan.FromSeconds(5)))
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            Assert.That(CallDeadline.Bound(TimeSpan.FromSeconds(20), _time), Is.EqualTo(TimeSpan.FromSeconds(3)));
        }

        Assert.That(CallDeadline.Remaining(_time), Is.Null, "the scope ends with the Docker call");
    }

    [Test]
    public void DeadlineAlreadyUsedUp_TheCallIsNotSent()
    {
        using var client = AgentClientTestKit.Create(AgentClientTestKit.Options(_agent.Endpoint), _time, _statistics);
        using var deadline = CallDeadline.Start(_time, TimeSpan.FromSeconds(20));
        _time.Advance(TimeSpan.FromSeconds(21));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(() => client.GetConfigAsync(CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.Failure, Is.EqualTo(AgentFailure.OutOfTime));
            Assert.That(failure.Message, Does.StartWith("GET /v1/config was not sent to the Cilium agent").And.Contain("used up its"));
            Assert.That(_agent.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task AgentHangs_TheCallEndsWithWhatTheDeadlineLeft(CancellationToken cancellationToken)
    {
        _agent.DefaultResponse = FakeAgentResponse.Hang();
        using var client = AgentClientTestKit.Create(
            new AgentClientOptions { Endpoint = _agent.Endpoint, TotalBudget = TimeSpan.FromSeconds(20), AttemptTimeout = TimeSpan.FromSeconds(10) },
            _time,
            _statistics);
        using var deadline = CallDeadline.Start(_time, TimeSpan.FromSeconds(20));
        _time.Advance(TimeSpan.FromSeconds(17));

        var call = client.GetConfigAsync(cancellationToken);
        await _agent.WaitForRequestAsync(1, cancellationToken);
        _time.Advance(TimeSpan.FromSeconds(3));
        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await call);

        Assert.Multiple(() =>
        {
            Assert.That(failure.Failure, Is.EqualTo(AgentFailure.NoAnswer));
            Assert.That(failure.Message, Does.Contain("gave no usable answer within the 3 s this Docker call had left"));
        });
    }

    [Test]
    public void RetryRules_AgentAwayLongerThanABudget_NotDeliveredIsNoLongerRetried()
    {
        Assert.Multiple(() =>
        {
            Assert.That(AgentRetryRules.ShouldRetry(AgentCallSafety.OnlyUnprocessed, AgentFailure.Unreachable, 40, 5, outageOutlastsBudget: false), Is.True,
                "what never reached the agent is retried until the budget ends, past the count for processed failures");
            Assert.That(AgentRetryRules.ShouldRetry(AgentCallSafety.Repeatable, AgentFailure.Unreachable, 0, 5, outageOutlastsBudget: true), Is.False);
            Assert.That(AgentRetryRules.ShouldRetry(AgentCallSafety.Repeatable, AgentFailure.RateLimited, 40, 5, outageOutlastsBudget: true), Is.True,
                "429/503 come from an agent that answers");
            Assert.That(AgentRetryRules.ShouldRetry(AgentCallSafety.Repeatable, AgentFailure.NoAnswer, 5, 5, outageOutlastsBudget: false), Is.False);
        });
    }

    [Test]
    public async Task Statistics_OutageStartsAtTheFirstRefusedAttemptAndEndsAtTheFirstAnswer(CancellationToken cancellationToken)
    {
        var missing = SocketEndpoint.UnixSocket(FakeAgentServer.NewSocketPath());
        using var down = AgentClientTestKit.Create(new AgentClientOptions { Endpoint = missing, MaxRetryAttempts = 0 }, _time, _statistics);
        using var up = AgentClientTestKit.Create(AgentClientTestKit.Options(_agent.Endpoint), _time, _statistics);
        _agent.DefaultResponse = FakeAgentResponse.Json(200, AgentClientTestKit.ConfigJson);

        Assert.ThrowsAsync<CiliumAgentException>(() => down.GetConfigAsync(cancellationToken));
        var since = _statistics.UnreachableSince;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.ThrowsAsync<CiliumAgentException>(() => down.GetConfigAsync(cancellationToken));
        var length = _statistics.OutageLength(_time.GetUtcNow());
        await up.GetConfigAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(since, Is.Not.Null);
            Assert.That(length, Is.EqualTo(TimeSpan.FromSeconds(30)), "a second refusal does not restart the outage");
            Assert.That(_statistics.UnreachableSince, Is.Null);
        });
    }
}
