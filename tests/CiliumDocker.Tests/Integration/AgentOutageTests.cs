using System.Diagnostics;
using System.Text.Json;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Integration;

/// <summary>
/// One Docker call, one deadline (RETRY_BUDGET): the published binary waits out an agent that restarts or has not
/// come up yet, fails fast only once the agent has been away for longer than a deadline, and never lets a slow agent
/// push a Docker call past Docker's own 30 s.
/// </summary>
[CancelAfter(90_000)]
internal sealed class AgentOutageTests : PluginIntegrationTest
{
    private static readonly Dictionary<string, string> DefaultDeadline = new() { ["RETRY_BUDGET"] = "20" };

    [TestCase(3)]
    [TestCase(15)]
    public async Task RequestAddress_DuringAnAgentRestart_SucceedsOnceTheAgentIsBack(int downSeconds)
    {
        await StartAsync(environment: DefaultDeadline);
        await WaitForAgentConfigAsync();
        await Agent.StopAsync();

        var call = Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);
        await Task.Delay(TimeSpan.FromSeconds(downSeconds), Cancellation);
        Assert.That(call.IsCompleted, Is.False, "the call waits for the agent instead of failing");
        var back = Stopwatch.StartNew();
        await Agent.StartAsync();
        var response = await call;
        await TestContext.Progress.WriteLineAsync($"agent down {downSeconds} s: the call answered {back.Elapsed.TotalMilliseconds:F0} ms after the agent was back");

        Assert.That(response.Status, Is.EqualTo(200), response.Body);
        Assert.That(response.Body, Does.Contain("\"Address\":\"10.11."));
    }

    [Test]
    public async Task RequestPool_BeforeTheAgentEverAnswered_SucceedsWhenItArrivesWithinTheDeadline()
    {
        await StartAsync(agentUp: false, environment: DefaultDeadline);

        var call = Plugin.PostAsync("/IpamDriver.RequestPool", DockerRequests.RequestPoolJson, Cancellation);
        await Task.Delay(TimeSpan.FromSeconds(2), Cancellation);
        await Agent.StartAsync();
        var response = await call;

        Assert.That(response.Status, Is.EqualTo(200), response.Body);
        Assert.That(response.Body, Does.Contain("\"PoolID\":\"CiliumPoolv4\""));
    }

    [Test]
    public async Task AgentAwayLongerThanADeadline_CallsFailWithinASecond_HealthSaysWhy_AndRecoveryIsImmediate()
    {
        await StartAsync(environment: new Dictionary<string, string> { ["RETRY_BUDGET"] = "2" });
        await WaitForAgentConfigAsync();
        await Agent.StopAsync();

        var waited = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);
        Assert.That(waited.Status, Is.EqualTo(500), "the first call waits out its deadline and fails");
        var health = await Eventually.ReturnsAsync(
            () => Plugin.GetAsync("/Plugin.Health", Cancellation),
            response => response.Body.Contains("\"callsWaitForAgent\":false", StringComparison.Ordinal),
            Cancellation);

        var clock = Stopwatch.StartNew();
        var fast = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);
        var fastTook = clock.Elapsed;
        await Agent.StartAsync();
        clock.Restart();
        var recovered = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);
        await TestContext.Progress.WriteLineAsync($"agent away: failed in {fastTook.TotalMilliseconds:F0} ms; back: answered in {clock.Elapsed.TotalMilliseconds:F0} ms");

        using var report = JsonDocument.Parse(health.Body);
        var agent = report.RootElement.GetProperty("agent");
        Assert.Multiple(() =>
        {
            Assert.That(health.Status, Is.EqualTo(503));
            Assert.That(agent.GetProperty("reachable").GetBoolean(), Is.False);
            Assert.That(agent.GetProperty("unreachableForSeconds").GetDouble(), Is.GreaterThanOrEqualTo(2));
            Assert.That(fast.Status, Is.EqualTo(500));
            Assert.That(fast.Body, Does.Contain("is unreachable").And.Contain("so calls no longer wait for it"));
            Assert.That(fastTook, Is.LessThan(TimeSpan.FromSeconds(1)), "an agent known to be away fails the call at its first attempt");
            Assert.That(recovered.Status, Is.EqualTo(200), "the first attempt after the agent is back connects: " + recovered.Body);
        });
    }

    [Test]
    public async Task AgentNeverAnsweredForLongerThanADeadline_RequestPoolFailsAtOnce_AndWorksOnceItAnswers()
    {
        await StartAsync(agentUp: false, environment: new Dictionary<string, string> { ["RETRY_BUDGET"] = "2" });
        await Eventually.ReturnsAsync(
            () => Plugin.GetAsync("/Plugin.Health", Cancellation),
            response => response.Body.Contains("\"callsWaitForAgent\":false", StringComparison.Ordinal),
            Cancellation);

        var clock = Stopwatch.StartNew();
        var fast = await Plugin.PostAsync("/IpamDriver.RequestPool", DockerRequests.RequestPoolJson, Cancellation);
        var fastTook = clock.Elapsed;
        await Agent.StartAsync();
        var served = await Plugin.PostAsync("/IpamDriver.RequestPool", DockerRequests.RequestPoolJson, Cancellation);

        Assert.Multiple(() =>
        {
            Assert.That(fast.Status, Is.EqualTo(500));
            Assert.That(fast.Body, Does.Contain("no configuration received yet from the Cilium agent"));
            Assert.That(fastTook, Is.LessThan(TimeSpan.FromSeconds(1)));
            Assert.That(served.Status, Is.EqualTo(200), served.Body);
        });
    }

    [Test]
    public async Task SlowAgent_EveryAnswerTakes40Seconds_TheDockerCallFailsWithOurMessageBefore30Seconds()
    {
        await StartAsync(environment: DefaultDeadline);
        await WaitForAgentConfigAsync();
        Agent.Delay = TimeSpan.FromSeconds(40);

        var clock = Stopwatch.StartNew();
        var response = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);
        var took = clock.Elapsed;
        Agent.Delay = TimeSpan.Zero;
        await TestContext.Progress.WriteLineAsync($"slow agent: failed after {took.TotalSeconds:F1} s: {response.Body}");

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(500));
            Assert.That(response.Body, Does.Contain("gave no usable answer within the").And.Contain("this Docker call had left"));
            Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(30)), "Docker gives up after 30 s and shows its own error instead of ours");
        });
    }

    [Test]
    public async Task SubnetProbing_AgentRefusesEveryAddressSlowly_StopsAtTheDeadline()
    {
        await StartAsync(environment: new Dictionary<string, string> { ["RETRY_BUDGET"] = "3" });
        await WaitForAgentConfigAsync();
        var pool = await Plugin.PostAsync("/IpamDriver.RequestPool", """{"AddressSpace":"CiliumLocal","Pool":"10.11.200.0/24","SubPool":"","Options":{},"V6":false}""", Cancellation);
        Assert.That(pool.Status, Is.EqualTo(200), pool.Body);
        var poolId = JsonDocument.Parse(pool.Body).RootElement.GetProperty("PoolID").GetString();
        for (var i = 0; i < 64; i++)
        {
            Agent.FailNext("POST", "/v1/ipam/10.11.200.", FakeAgentResponse.Error(500, "provided IP is already allocated"));
        }

        Agent.Delay = TimeSpan.FromMilliseconds(700);
        var clock = Stopwatch.StartNew();
        var response = await Plugin.PostAsync("/IpamDriver.RequestAddress", $$"""{"PoolID":"{{poolId}}","Address":"","Options":null}""", Cancellation);
        var took = clock.Elapsed;
        Agent.Delay = TimeSpan.Zero;

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(500));
            Assert.That(response.Body, Does.Contain("this Docker call").Or.Contain("this call's deadline"));
            Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(10)), "64 probes of 0.7 s each would take 45 s");
        });
    }
}
