using System.Diagnostics;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Lifecycle;

/// <summary>
/// A container's whole life on a Cilium network, for the legacy and the managed plugin, as a user types it. These
/// tests read the agent only through its own API, so they run against the simulator and, in the
/// <see cref="E2EEnvironment.RealAgentCategory"/> run, against the real Cilium agent.
/// </summary>
[TestFixtureSource(nameof(Forms))]
[Category(E2EEnvironment.RealAgentCategory)]
public sealed class ContainerLifecycleTests(PluginForm form) : PluginFixture(form)
{
    public static IEnumerable<PluginForm> Forms => [PluginForm.Legacy(), PluginForm.Managed("cilium-e2e/lifecycle:test")];

    [Test]
    public void SeedCommands_Verbatim_App2FetchesApp1()
    {
        Cleanup.Network("cilium-net");
        Cleanup.Container("app1");

        Docker.MustRun("network", "create", "--driver", Plugin, "--ipam-driver", Plugin, "cilium-net");
        Docker.MustRun("run", "-d", "--name", "app1", "--net", "cilium-net", "-l", "id=app1", E2EEnvironment.Image, "httpd", "-f", "-p", "80", "-h", "/www");
        var page = Docker.MustRun("run", "--rm", "--net", "cilium-net", "-l", "id=app2", E2EEnvironment.Image, "timeout", "10", "wget", "-qO-", "http://app1");

        Assert.That(page, Is.EqualTo("hello from app1"));
    }

    [Test]
    public void PublishedPorts_AreAgentServices_UntilTheContainerIsRemoved()
    {
        var network = CreateNetwork();
        var app = RunServer(network, "-p", "18160:80", "-p", "127.0.0.1:18161:53/udp");
        var ip = Docker.ContainerIp(app, network);

        Assert.That(AgentState.PublishedServices(), Is.EquivalentTo(new[] { $"0.0.0.0:18160 -> {ip}:80", $"127.0.0.1:18161 -> {ip}:53" }));

        Docker.MustRun("rm", "-f", app);
        Assert.That(AgentState.PublishedServices(), Is.Empty);
    }

    [Test]
    public void ContainerLabels_BecomeTheEndpointsSecurityIdentity()
    {
        var network = CreateNetwork();
        var app = RunServer(network, "-l", "id=app1");
        var endpoint = EndpointId(app, network);

        Assert.That(Eventually.Until(() => AgentState.IdentityLabels(endpoint).Contains("container:id=app1"), TimeSpan.FromSeconds(30)), Is.True,
            "identity labels at the agent: " + string.Join(", ", AgentState.IdentityLabels(endpoint)));
    }

    [Test]
    public void SubnetAndIp_ContainerGetsTheRequestedAddress_AndTheAgentsEndpointHasIt()
    {
        var network = CreateNetwork("--subnet", "10.11.200.0/24");
        var app = RunServer(network, "--ip", "10.11.200.7");

        Assert.That(Docker.ContainerIp(app, network), Is.EqualTo("10.11.200.7"));
        Assert.That(AgentState.EndpointAddresses(), Does.Contain("10.11.200.7"));
        var page = Docker.MustRun("run", "--rm", "--net", network, E2EEnvironment.Image, "timeout", "10", "wget", "-qO-", "http://10.11.200.7");
        Assert.That(page, Is.EqualTo("hello from app1"));
    }

    [Test]
    public void StopAndRm_LeavesNothingAtTheAgent()
    {
        var network = CreateNetwork();
        var app = RunServer(network);
        var ip = Docker.ContainerIp(app, network);
        var endpoint = EndpointId(app, network);
        Assert.That(Eventually.Until(() => AgentState.HasEndpoint(endpoint) && AgentState.AllocatedAddresses().Contains(ip), TimeSpan.FromSeconds(15)), Is.True,
            $"{ip} and its endpoint exist while the container runs");

        Docker.MustRun("stop", "-t", "1", app);
        Docker.MustRun("rm", app);

        AssertGoneFromTheAgent(endpoint, ip);
    }

    /// <summary>The agent queues endpoint creations (0.5/s, burst 4) and builds each one's datapath: eight at once must all succeed.</summary>
    [Test]
    public void Burst_EightConcurrentRuns_AllStartWithDistinctAddresses()
    {
        var network = CreateNetwork();
        var names = Enumerable.Range(0, 8).Select(_ => Cleanup.Container(Names.Unique("burst"))).ToArray();
        var clock = Stopwatch.StartNew();

        var runs = names.AsParallel().WithDegreeOfParallelism(names.Length).Select(name =>
        {
            var result = Docker.Run(TimeSpan.FromSeconds(120), "run", "-d", "--name", name, "--net", network, E2EEnvironment.Image, "sleep", "600");
            return (Name: name, Result: result, Seconds: clock.Elapsed.TotalSeconds);
        }).ToArray();

        TestContext.Progress.WriteLine($"{Form}: 8 concurrent docker runs finished after " +
            string.Join(", ", runs.Select(run => run.Seconds).Order().Select(seconds => seconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " s")));
        Assert.That(runs.Where(run => !run.Result.Succeeded).Select(run => run.Result.ToString()), Is.Empty);
        var addresses = names.Select(name => Docker.ContainerIp(name, network)).ToArray();
        Assert.That(addresses, Is.Unique);
        Assert.That(AgentState.EndpointAddresses(), Is.SupersetOf(addresses));
    }

    [Test]
    public void PluginRestart_BetweenRunAndRm_ServesAgainAndLeavesNothing()
    {
        var network = CreateNetwork();
        var app = RunServer(network);
        var ip = Docker.ContainerIp(app, network);
        var endpoint = EndpointId(app, network);

        Form.Restart();

        var page = Docker.Run(TimeSpan.FromSeconds(90), "run", "--rm", "--net", network, E2EEnvironment.Image, "timeout", "10", "wget", "-qO-", "http://" + app);
        Assert.That(page.Output, Is.EqualTo("hello from app1"), page.ToString());
        Docker.MustRun("rm", "-f", app);
        AssertGoneFromTheAgent(endpoint, ip);
    }

    /// <summary>
    /// The agent restarts (an upgrade, a crash) while containers keep starting. A Docker call waits out the restart
    /// within its deadline; a run that starts once the agent answers again must not fail.
    /// </summary>
    [Test]
    public void AgentRestart_DuringAChurnOfRuns_NoRunStartedAfterTheAgentAnsweredAgainFails()
    {
        var network = CreateNetwork();
        var clock = Stopwatch.StartNew();
        var runs = new System.Collections.Concurrent.ConcurrentBag<(double Started, ShellResult Result)>();
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var name = Cleanup.Container(Names.Unique("churn"));
                var started = clock.Elapsed.TotalSeconds;
                runs.Add((started, Docker.Run(TimeSpan.FromSeconds(90), "run", "-d", "--name", name, "--net", network, E2EEnvironment.Image, "sleep", "600")));
            }
        });

        Thread.Sleep(TimeSpan.FromSeconds(4));
        var restartedAt = clock.Elapsed.TotalSeconds;
        E2EEnvironment.Agent.Restart();
        var answeredAt = clock.Elapsed.TotalSeconds;

        // Runs are sequential and one caught in the restart may take its whole deadline: wait for whole runs
        // started after the agent answered, not for a fixed time.
        Eventually.Until(() => runs.Count(run => run.Started >= answeredAt) >= 3, TimeSpan.FromSeconds(120));
        stop.Cancel();
        churn.Wait();

        var failedAfter = runs.Where(run => run.Started >= answeredAt && !run.Result.Succeeded).Select(run => run.Result.ToString()).ToArray();
        var failedDuring = runs.Where(run => run.Started < answeredAt && !run.Result.Succeeded).Select(run => run.Result.StdErr.Trim()).ToArray();
        TestContext.Progress.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Form}: agent restarted at {restartedAt:F1} s, answered again at {answeredAt:F1} s; {runs.Count} runs, {failedDuring.Length} failed before it answered, {failedAfter.Length} after"));
        foreach (var failure in failedDuring)
        {
            TestContext.Progress.WriteLine("  failed while the agent restarted: " + failure);
        }

        Assert.That(runs.Count(run => run.Started >= answeredAt), Is.GreaterThan(0), "the churn went on after the restart");
        Assert.That(failedAfter, Is.Empty);
    }

    private static void AssertGoneFromTheAgent(string endpoint, string ip) =>
        Assert.That(Eventually.Until(() => !AgentState.HasEndpoint(endpoint) && !AgentState.AllocatedAddresses().Contains(ip), TimeSpan.FromSeconds(15)), Is.True,
            $"after rm the agent still has endpoint {endpoint}: {AgentState.HasEndpoint(endpoint)}, address {ip}: {AgentState.AllocatedAddresses().Contains(ip)}");
}
