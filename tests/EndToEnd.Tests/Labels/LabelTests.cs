using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Labels;

/// <summary>Container labels reach the Cilium endpoint, so that policy can select by them.</summary>
[TestFixture]
public sealed class LabelTests() : PluginFixture("cilium-e2e/labels:test")
{
    [Test]
    public void Run_WithLabel_EndpointCarriesContainerLabel()
    {
        var network = CreateNetwork();
        var app = Cleanup.Container(Names.Unique("lbl"));
        Docker.MustRun("run", "-d", "--name", app, "--net", network, "-l", "id=app1", E2EEnvironment.Image, "sleep", "600");
        var endpoint = EndpointId(app, network);

        Assert.That(Eventually.Until(() => AgentState.Labels(endpoint).Contains("container:id=app1"), TimeSpan.FromSeconds(30)), Is.True,
            "labels at the agent: " + string.Join(", ", AgentState.Labels(endpoint)));
    }

    [Test]
    public void DockerdRestart_WatcherReconnects_NewContainersAreLabelled()
    {
        if (!E2EEnvironment.Daemon.StartedHere)
        {
            Assert.Ignore("dockerd was running before the suite; the suite restarts only a daemon it started");
        }

        var network = CreateNetwork();

        E2EEnvironment.Daemon.Restart();
        var app = Cleanup.Container(Names.Unique("lbl"));
        var run = Docker.Run(TimeSpan.FromSeconds(90), "run", "-d", "--name", app, "--net", network, "-l", "id=after-restart", E2EEnvironment.Image, "sleep", "600");
        Assert.That(run.Succeeded, Is.True, run.ToString());
        var endpoint = EndpointId(app, network);

        Assert.That(Eventually.Until(() => AgentState.Labels(endpoint).Contains("container:id=after-restart"), TimeSpan.FromSeconds(60)), Is.True,
            "labels at the agent: " + string.Join(", ", AgentState.Labels(endpoint)));
    }
}
