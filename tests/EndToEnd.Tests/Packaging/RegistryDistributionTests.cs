using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Packaging;

/// <summary><c>docker plugin push</c> to a local registry, then <c>install</c> and <c>upgrade</c> from it.</summary>
[TestFixture]
public sealed class RegistryDistributionTests
{
    private LocalRegistry? _registry;
    private Cleanup _cleanup = new();

    private string Remote(string tag) => $"{_registry!.Address}/cilium/docker-plugin:{tag}";

    [OneTimeSetUp]
    public void StartRegistryAndPush()
    {
        _registry = LocalRegistry.Start(Path.Combine(E2EEnvironment.Logs, "registry.log"));
        Push("e2e", E2EEnvironment.PluginBundle);
        var next = NextBundle();
        try
        {
            Push("e2e-next", next);
        }
        finally
        {
            Directory.Delete(next, recursive: true);
        }
    }

    private void Push(string tag, string bundle)
    {
        Docker.MustRun("plugin", "create", Remote(tag), bundle);
        Docker.MustRun("plugin", "push", Remote(tag));
        Docker.MustRun("plugin", "rm", Remote(tag));
    }

    /// <summary>The same bundle with another description, so that an upgrade is visible in <c>docker plugin inspect</c>.</summary>
    private static string NextBundle()
    {
        var next = Directory.CreateTempSubdirectory("e2e-next-").FullName;
        Shell.MustRun("cp", "-a", Path.Combine(E2EEnvironment.PluginBundle, "rootfs"), next);
        var config = File.ReadAllText(Path.Combine(E2EEnvironment.PluginBundle, "config.json"));
        File.WriteAllText(Path.Combine(next, "config.json"), config.Replace(NextMarker.Original, NextMarker.Upgraded, StringComparison.Ordinal));
        return next;
    }

    [OneTimeTearDown]
    public void StopRegistry() => _registry?.Dispose();

    [SetUp]
    public void NewCleanup() => _cleanup = new Cleanup();

    [TearDown]
    public void RemoveWhatTheTestCreated() => _cleanup.Run();

    [Test]
    public void Install_WithAlias_NetworkAndContainerWork()
    {
        var plugin = _cleanup.Plugin("cilium:latest");
        Docker.MustRun("plugin", "install", "--grant-all-permissions", "--alias", "cilium", Remote("e2e"));

        AssertServes("cilium:latest");
        Assert.That(Docker.MustRun("plugin", "inspect", "-f", "{{.PluginReference}}", plugin), Does.Contain(Remote("e2e")));
    }

    [Test]
    public void Install_WithFullName_NetworkAndContainerWork()
    {
        _cleanup.Plugin(Remote("e2e"));
        Docker.MustRun("plugin", "install", "--grant-all-permissions", Remote("e2e"), "LOG_LEVEL=debug");

        AssertServes(Remote("e2e"));
        Assert.That(Docker.MustRun("plugin", "inspect", "-f", "{{range .Settings.Env}}{{.}} {{end}}", Remote("e2e")), Does.Contain("LOG_LEVEL=debug"));
    }

    [Test]
    public void Upgrade_DisabledPlugin_KeepsItsNetworks()
    {
        var plugin = _cleanup.Plugin(Remote("e2e"));
        Docker.MustRun("plugin", "install", "--grant-all-permissions", Remote("e2e"));
        var network = _cleanup.Network(Names.Unique("unet"));
        Docker.MustRun("network", "create", "--driver", plugin, "--ipam-driver", plugin, network);

        Docker.MustRun("plugin", "disable", "-f", plugin);
        Docker.MustRun("plugin", "upgrade", "--grant-all-permissions", "--skip-remote-check", plugin, Remote("e2e-next"));
        Docker.MustRun("plugin", "enable", plugin);

        Assert.That(Docker.MustRun("plugin", "inspect", "-f", "{{.Config.Description}}", plugin), Does.EndWith("(next)"));
        var app = _cleanup.Container(Names.Unique("up"));
        Docker.MustRun("run", "-d", "--name", app, "--net", network, E2EEnvironment.Image, "sleep", "600");
        Assert.That(Docker.ContainerIp(app, network), Does.StartWith("10.11."));
    }

    private static class NextMarker
    {
        public const string Original = "\"Cilium network and IPAM driver for Docker\"";
        public const string Upgraded = "\"Cilium network and IPAM driver for Docker (next)\"";
    }

    private void AssertServes(string plugin)
    {
        var network = _cleanup.Network(Names.Unique("rnet"));
        Docker.MustRun("network", "create", "--driver", plugin, "--ipam-driver", plugin, network);
        var app = _cleanup.Container(Names.Unique("rapp"));
        Docker.MustRun("run", "-d", "--name", app, "--net", network, E2EEnvironment.Image, "httpd", "-f", "-p", "80", "-h", "/www");
        var page = Docker.MustRun("run", "--rm", "--net", network, E2EEnvironment.Image, "timeout", "10", "wget", "-qO-", "http://" + app);
        Assert.That(page, Is.EqualTo("hello from app1"));
    }
}
