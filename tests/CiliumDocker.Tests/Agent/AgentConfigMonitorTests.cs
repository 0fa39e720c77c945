using CiliumDocker.Agent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Agent;

[TestFixture]
[CancelAfter(20_000)]
internal sealed class AgentConfigMonitorTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private ScriptedConfigAgent _agent = null!;
    private FakeTimeProvider _time = null!;
    private AgentConfigMonitor _monitor = null!;
    private readonly HostAddressingFeed _hostAddressing = new();

    [SetUp]
    public void CreateMonitor()
    {
        _agent = new ScriptedConfigAgent();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        _monitor = new AgentConfigMonitor(_agent, new AgentCallStatistics(), _hostAddressing, new AgentClientOptions(), _time, NullLogger<AgentConfigMonitor>.Instance);
    }

    [TearDown]
    public async Task StopMonitor()
    {
        await _monitor.StopAsync(CancellationToken.None);
        _monitor.Dispose();
    }

    [Test]
    public async Task StartAsync_AgentDownThenUp_ServesOnceTheAgentAnswers(CancellationToken cancellationToken)
    {
        await _monitor.StartAsync(cancellationToken);
        var first = await _agent.NextConfigCallAsync(cancellationToken);

        first.SetException(new CiliumAgentException("GET /v1/config failed: Cilium agent at /run/test/cilium.sock is unreachable (connection refused)", AgentFailure.Unreachable));
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.LastError is not null, cancellationToken);
        var beforeAgentUp = Assert.ThrowsAsync<CiliumAgentException>(async () => await _monitor.GetRequiredAsync(CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(_monitor.Current, Is.Null);
            Assert.That(beforeAgentUp.Message, Is.EqualTo(
                "no configuration received yet from the Cilium agent at /run/test/cilium.sock: GET /v1/config failed: Cilium agent at /run/test/cilium.sock is unreachable (connection refused)"));
            Assert.That(beforeAgentUp.AgentUnreachable, Is.True);
        });

        var second = await NextCallAdvancingAsync(cancellationToken);
        second.SetResult(ScriptedConfigAgent.Config());
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current is not null, cancellationToken);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await _monitor.GetRequiredAsync(CancellationToken.None)).Addressing?.IPv4?.Ip, Is.EqualTo("10.15.0.1"));
            Assert.That(_monitor.Current?.FetchedAt, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(_monitor.LastError, Is.Null);
        });
    }

    [Test]
    public void GetRequired_FirstFetchStillRunning_SaysSo()
    {
        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _monitor.GetRequiredAsync(CancellationToken.None));

        Assert.That(failure.Message, Is.EqualTo(
            "no configuration received yet from the Cilium agent at /run/test/cilium.sock: the first request is still in progress"));
    }

    [Test]
    public async Task ExecuteAsync_UnusableConfigurations_KeepsAskingWithAClearError(CancellationToken cancellationToken)
    {
        await _monitor.StartAsync(cancellationToken);

        await AnswerAndExpectErrorAsync(new DaemonConfigurationStatus(), "it has no status.addressing", cancellationToken);
        await AnswerAndExpectErrorAsync(ScriptedConfigAgent.Config(routerIPv4: ""), "it names neither an IPv4 nor an IPv6 router IP", cancellationToken);
        await AnswerAndExpectErrorAsync(ScriptedConfigAgent.Config(routerIPv4: "10.15.0.300"), "its IPv4 router IP '10.15.0.300' is not an IPv4 address", cancellationToken);

        var valid = await NextCallAdvancingAsync(cancellationToken);
        valid.SetResult(ScriptedConfigAgent.Config(routerIPv4: null, routerIPv6: "f00d::1"));
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current is not null, cancellationToken);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await _monitor.GetRequiredAsync(CancellationToken.None)).Addressing?.IPv6?.Ip, Is.EqualTo("f00d::1"));
            Assert.That(_monitor.LastError, Is.Null);
        });
    }

    [Test]
    public async Task ExecuteAsync_UnexpectedException_DoesNotStopTheMonitor(CancellationToken cancellationToken)
    {
        await _monitor.StartAsync(cancellationToken);
        var first = await _agent.NextConfigCallAsync(cancellationToken);

        first.SetException(new InvalidOperationException("boom"));
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.LastError is not null, cancellationToken);
        Assert.That(_monitor.LastError, Is.EqualTo(
            "fetching the configuration from the Cilium agent at /run/test/cilium.sock failed unexpectedly: boom"));

        var second = await NextCallAdvancingAsync(cancellationToken);
        second.SetResult(ScriptedConfigAgent.Config());
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current is not null, cancellationToken);
        Assert.That(_monitor.ExecuteTask?.IsCompleted, Is.False);
    }

    [Test]
    public async Task ExecuteAsync_AfterSuccess_RefreshesEveryThirtySeconds(CancellationToken cancellationToken)
    {
        await _monitor.StartAsync(cancellationToken);
        (await _agent.NextConfigCallAsync(cancellationToken)).SetResult(ScriptedConfigAgent.Config());
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current is not null, cancellationToken);
        var fetchedAt = _monitor.Current!.FetchedAt;

        var refresh = await NextCallAdvancingAsync(cancellationToken, TimeSpan.FromSeconds(1));
        var waited = _time.GetUtcNow() - fetchedAt;
        refresh.SetResult(ScriptedConfigAgent.Config());
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current!.FetchedAt > fetchedAt, cancellationToken);

        Assert.That(waited, Is.GreaterThanOrEqualTo(AgentConfigMonitor.RefreshInterval));
    }

    [Test]
    public async Task ExecuteAsync_RefreshFails_KeepsTheLastGoodConfiguration(CancellationToken cancellationToken)
    {
        await _monitor.StartAsync(cancellationToken);
        (await _agent.NextConfigCallAsync(cancellationToken)).SetResult(ScriptedConfigAgent.Config());
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current is not null, cancellationToken);

        var refresh = await NextCallAdvancingAsync(cancellationToken, TimeSpan.FromSeconds(1));
        refresh.SetException(new CiliumAgentException("agent gone", AgentFailure.Unreachable));
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.LastError is not null, cancellationToken);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(_monitor.LastError, Is.EqualTo("agent gone"));
            Assert.That((await _monitor.GetRequiredAsync(CancellationToken.None)).Addressing?.IPv4?.Ip, Is.EqualTo("10.15.0.1"));
        });
    }

    [Test]
    public async Task HostAddressingPublished_NewRouterIp_RefreshesWithoutWaiting(CancellationToken cancellationToken)
    {
        await _monitor.StartAsync(cancellationToken);
        (await _agent.NextConfigCallAsync(cancellationToken)).SetResult(ScriptedConfigAgent.Config());
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current is not null, cancellationToken);
        var before = _time.GetUtcNow();

        _hostAddressing.Publish(new NodeAddressing { IPv4 = new NodeAddressingElement { Enabled = true, Ip = "10.16.0.1" } });
        var refresh = await _agent.NextConfigCallAsync(cancellationToken);
        refresh.SetResult(ScriptedConfigAgent.Config(routerIPv4: "10.16.0.1"));
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current!.Status.Addressing?.IPv4?.Ip == "10.16.0.1", cancellationToken);

        Assert.That(_time.GetUtcNow(), Is.EqualTo(before), "the refresh did not wait for the periodic interval");
    }

    [Test]
    public async Task HostAddressingPublished_BeforeFirstConfiguration_CutsTheBackoffShort(CancellationToken cancellationToken)
    {
        await _monitor.StartAsync(cancellationToken);
        (await _agent.NextConfigCallAsync(cancellationToken)).SetException(new CiliumAgentException("down", AgentFailure.Unreachable));
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.LastError is not null, cancellationToken);

        _hostAddressing.Publish(new NodeAddressing { IPv4 = new NodeAddressingElement { Ip = "10.15.0.1" } });
        var retry = await _agent.NextConfigCallAsync(cancellationToken);
        retry.SetResult(ScriptedConfigAgent.Config());

        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current is not null, cancellationToken);
    }

    [Test]
    public async Task StopAsync_WhileWaiting_EndsTheLoop(CancellationToken cancellationToken)
    {
        await _monitor.StartAsync(cancellationToken);
        (await _agent.NextConfigCallAsync(cancellationToken)).SetResult(ScriptedConfigAgent.Config());
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.Current is not null, cancellationToken);

        await _monitor.StopAsync(cancellationToken);

        Assert.That(_monitor.ExecuteTask?.IsCompletedSuccessfully, Is.True);
    }

    [TestCase("10.15.0.1", null, "10.16.0.1", null, true)]
    [TestCase("10.15.0.1", null, "10.15.0.1", null, false)]
    [TestCase("10.15.0.1", "f00d::1", null, "F00D:0::1", false)]
    [TestCase("10.15.0.1", "f00d::1", null, "f00d::2", true)]
    [TestCase("10.15.0.1", null, "", null, false)]
    [TestCase("10.15.0.1", null, null, "f00d::1", true)]
    public void ShowsNewRouterIp_HostAddressing_DetectsAgentRestart(string? knownV4, string? knownV6, string? seenV4, string? seenV6, bool expected)
    {
        var known = ScriptedConfigAgent.Config(knownV4, knownV6);
        var seen = new NodeAddressing
        {
            IPv4 = seenV4 is null ? null : new NodeAddressingElement { Ip = seenV4 },
            IPv6 = seenV6 is null ? null : new NodeAddressingElement { Ip = seenV6 },
        };

        Assert.That(AgentConfigMonitor.ShowsNewRouterIp(known, seen), Is.EqualTo(expected));
    }

    [TestCase(1, 100)]
    [TestCase(2, 200)]
    [TestCase(3, 400)]
    [TestCase(6, 3_200)]
    [TestCase(7, 5_000)]
    [TestCase(1_000, 5_000)]
    public void RetryDelay_ConsecutiveFailures_DoublesUpToTheCap(int failures, int expectedMilliseconds)
    {
        Assert.That(AgentConfigMonitor.RetryDelay(failures), Is.EqualTo(TimeSpan.FromMilliseconds(expectedMilliseconds)));
    }

    [Test]
    public void FindProblem_ValidDualStack_HasNone()
    {
        Assert.That(AgentConfigMonitor.FindProblem(ScriptedConfigAgent.Config("10.15.0.1", "f00d::1")), Is.Null);
    }

    [Test]
    public void FindProblem_IPv4AddressAsIPv6Router_IsRejected()
    {
        Assert.That(AgentConfigMonitor.FindProblem(ScriptedConfigAgent.Config(null, "10.15.0.1")),
            Is.EqualTo("its IPv6 router IP '10.15.0.1' is not an IPv6 address"));
    }

    private async Task AnswerAndExpectErrorAsync(DaemonConfigurationStatus answer, string expectedProblem, CancellationToken cancellationToken)
    {
        var call = _agent.ConfigCalls == 0
            ? await _agent.NextConfigCallAsync(cancellationToken)
            : await NextCallAdvancingAsync(cancellationToken);
        var previousError = _monitor.LastError;
        call.SetResult(answer);
        await AgentClientTestKit.WaitUntilAsync(() => _monitor.LastError != previousError, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(_monitor.Current, Is.Null);
            Assert.That(_monitor.LastError, Does.StartWith("the Cilium agent at /run/test/cilium.sock sent an unusable configuration: " + expectedProblem));
        });
    }

    /// <summary>Moves fake time forward until the monitor, waiting on it, asks again.</summary>
    private async Task<TaskCompletionSource<DaemonConfigurationStatus>> NextCallAdvancingAsync(CancellationToken cancellationToken, TimeSpan? step = null)
    {
        var next = _agent.NextConfigCallAsync(cancellationToken).AsTask();
        return await _time.AdvanceUntilDoneAsync(next, step ?? Step, cancellationToken);
    }
}
