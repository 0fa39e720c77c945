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
        _registry = LocalRegistry.Start(Path.Combine(RepositoryPaths.Logs, "registry.log"));
        foreach (var tag in new[] { "e2e", "e2e-next" })
        {
            Docker.MustRun("plugin", "create", Remote(tag), E2EEnvironment.PluginBundle);
            Docker.MustRun("plugin", "push", Remote(tag));
            Docker.MustRun("plugin", "rm", Remote(tag));
        }
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
        Docker.MustRun("plugin", "upgrade", "--grant-all-permissions", plugin, Remote("e2e-next"));
        Docker.MustRun("plugin", "enable", plugin);

        Assert.That(Docker.MustRun("plugin", "inspect", "-f", "{{.PluginReference}}", plugin), Does.Contain("e2e-next"));
        var app = _cleanup.Container(Names.Unique("up"));
        Docker.MustRun("run", "-d", "--name", app, "--net", network, E2EEnvironment.Image, "sleep", "600");
        Assert.That(Docker.ContainerIp(app, network), Does.StartWith("10.11."));
    }

    private void AssertServes(string plugin)
    {
        var network = _cleanup.Network(Names.Unique("rnet"));
        Docker.MustRun("network", "create", "--driver", plugin, "--ipam-driver", plugin, network);
        var app = _cleanup.Container(Names.Unique("rapp"));
        Docker.MustRun("run", "-d", "--name", app, "--net", network, E2EEnvironment.Image, "httpd", "-f", "-p", "80", "-h", "/www");
        var page = Docker.MustRun("run", "--rm", "--net", network, E2EEnvironment.Image, "wget", "-qO-", "-T", "10", "http://" + app);
        Assert.That(page, Is.EqualTo("hello from app1"));
    }
}
