using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Restart;

/// <summary>dockerd restarts with a running container, and the plugin process killed under Docker.</summary>
[TestFixture]
public sealed class RestartTests() : PluginFixture("cilium-e2e/restart:test")
{
    [Test]
    public void DockerdRestart_RestartAlwaysContainer_ComesBackWithConnectivity()
    {
        if (!E2EEnvironment.Daemon.StartedHere)
        {
            Assert.Ignore("dockerd was running before the suite; the suite restarts only a daemon it started");
        }

        var network = CreateNetwork();
        var app = RunServer(network, "--restart=always");

        E2EEnvironment.Daemon.Restart();

        Assert.That(Eventually.Until(() => Docker.Run("inspect", "-f", "{{.State.Running}}", app).Output == "true", TimeSpan.FromSeconds(60)), Is.True,
            "the --restart=always container did not come back:\n" + Docker.Run("inspect", app));
        var page = Docker.Run(TimeSpan.FromSeconds(60), "run", "--rm", "--net", network, E2EEnvironment.Image, "timeout", "10", "wget", "-qO-", "http://" + app);
        Assert.That(page.Output, Is.EqualTo("hello from app1"), page.ToString());
    }

    [Test]
    public void PluginKilled_DockerRestartsIt_AndItServesAgain()
    {
        var network = CreateNetwork();
        var before = ManagedPlugin.Pid(Plugin);

        Shell.MustRun("kill", "-KILL", before.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.That(Eventually.Until(() => ManagedPlugin.TryPid(Plugin) is { } pid && pid != before, TimeSpan.FromSeconds(60)), Is.True, "Docker did not restart the plugin");
        var app = Cleanup.Container(Names.Unique("after"));
        var run = Docker.Run(TimeSpan.FromSeconds(90), "run", "-d", "--name", app, "--net", network, E2EEnvironment.Image, "sleep", "600");
        Assert.That(run.Succeeded, Is.True, run.ToString());
        Assert.That(Docker.ContainerIp(app, network), Does.StartWith("10.11."));
    }
}
