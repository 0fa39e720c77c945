using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Packaging;

/// <summary><c>docker plugin create/enable/inspect/disable/set/rm</c> on the bundle build-plugin.sh assembles.</summary>
[TestFixture]
public sealed class PluginLifecycleTests
{
    private Cleanup _cleanup = new();

    [SetUp]
    public void NewCleanup() => _cleanup = new Cleanup();

    [TearDown]
    public void RemoveWhatTheTestCreated() => _cleanup.Run();

    [Test]
    public void CreateEnableInspect_Bundle_ServesBothDriverInterfaces()
    {
        var plugin = ManagedPlugin.CreateEnabled(_cleanup, "cilium-e2e/lifecycle:v1");

        var enabled = Docker.MustRun("plugin", "inspect", "-f", "{{.Enabled}}", plugin);
        var types = Docker.MustRun("plugin", "inspect", "-f", "{{range .Config.Interface.Types}}{{.Prefix}}.{{.Capability}}/{{.Version}} {{end}}", plugin);
        var networkPlugins = Docker.MustRun("info", "-f", "{{range .Plugins.Network}}{{.}} {{end}}");

        Assert.That(enabled, Is.EqualTo("true"));
        Assert.That(types, Is.EqualTo("docker.networkdriver/1.0 docker.ipamdriver/1.0"));
        Assert.That(networkPlugins, Does.Contain(plugin));
    }

    [Test]
    public void Disable_WhileANetworkUsesIt_IsRefusedUntilTheNetworkIsGone()
    {
        var plugin = ManagedPlugin.CreateEnabled(_cleanup, "cilium-e2e/lifecycle:v2");
        var network = _cleanup.Network(Names.Unique("lnet"));
        Docker.MustRun("network", "create", "--driver", plugin, "--ipam-driver", plugin, network);

        var refused = Docker.Run("plugin", "disable", plugin);
        Docker.MustRun("network", "rm", network);
        var accepted = Docker.Run("plugin", "disable", plugin);

        Assert.That(refused.Succeeded, Is.False);
        Assert.That(refused.StdErr, Does.Contain("in use"));
        Assert.That(accepted.Succeeded, Is.True, accepted.ToString());
    }

    [Test]
    public void Set_WhileDisabled_ChangesSettingsAndThePluginStillServes()
    {
        var plugin = _cleanup.Plugin("cilium-e2e/lifecycle:v3");
        Docker.MustRun("plugin", "create", plugin, E2EEnvironment.PluginBundle);

        Docker.MustRun("plugin", "set", plugin, "LOG_LEVEL=debug", "RETRY_BUDGET=10");
        var unknown = Docker.Run("plugin", "set", plugin, "NO_SUCH_SETTING=1");
        var notSettable = Docker.Run("plugin", "set", plugin, "STATE_DIR=/tmp");
        Docker.MustRun("plugin", "enable", plugin);
        var env = Docker.MustRun("plugin", "inspect", "-f", "{{range .Settings.Env}}{{.}} {{end}}", plugin);
        var whileEnabled = Docker.Run("plugin", "set", plugin, "LOG_LEVEL=info");
        var network = _cleanup.Network(Names.Unique("lnet"));
        var create = Docker.Run("network", "create", "--driver", plugin, "--ipam-driver", plugin, network);

        Assert.Multiple(() =>
        {
            Assert.That(env, Does.Contain("LOG_LEVEL=debug").And.Contain("RETRY_BUDGET=10"));
            Assert.That(unknown.Succeeded, Is.False);
            Assert.That(notSettable.Succeeded, Is.False);
            Assert.That(whileEnabled.Succeeded, Is.False, "settings change only while disabled");
            Assert.That(create.Succeeded, Is.True, create.ToString());
        });
    }

    [Test]
    public void Rm_EnabledPlugin_NeedsForceAndLeavesNoPlugin()
    {
        var plugin = ManagedPlugin.CreateEnabled(_cleanup, "cilium-e2e/lifecycle:v4");

        var refused = Docker.Run("plugin", "rm", plugin);
        Docker.MustRun("plugin", "rm", "-f", plugin);

        Assert.That(refused.Succeeded, Is.False);
        Assert.That(Docker.Run("plugin", "inspect", plugin).Succeeded, Is.False);
    }
}
