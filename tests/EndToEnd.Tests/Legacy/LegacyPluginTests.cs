using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Legacy;

/// <summary>
/// The same binary run on the host as a legacy plugin (socket <c>/run/docker/plugins/cilium.sock</c>, driver name
/// <c>cilium</c>), driven with the seed's commands verbatim.
/// </summary>
[TestFixture]
public sealed class LegacyPluginTests
{
    private readonly Cleanup _cleanup = new();
    private BackgroundProcess? _plugin;

    [OneTimeSetUp]
    public void StartLegacyPlugin()
    {
        _plugin = BackgroundProcess.Start(
            RepositoryPaths.PluginBinary,
            ["--docker-plugins", "/run/docker/plugins", "--cilium-api", "unix://" + AgentSimulator.SocketPath, "--state-dir", "/var/lib/cilium-docker-e2e"],
            Path.Combine(RepositoryPaths.Logs, "legacy-plugin.log"));
        Assert.That(Wait.Until(() => File.Exists("/run/docker/plugins/cilium.sock"), TimeSpan.FromSeconds(10)), Is.True, _plugin.ReadLog());
    }

    [OneTimeTearDown]
    public void StopLegacyPlugin()
    {
        _cleanup.Run();
        _plugin?.Dispose();
        Assert.That(File.Exists("/run/docker/plugins/cilium.sock"), Is.False, "SIGTERM removes the socket");
    }

    [Test]
    public void SeedCommands_Verbatim_App2FetchesApp1()
    {
        _cleanup.Network("cilium-net");
        _cleanup.Container("app1");

        Docker.MustRun("network", "create", "--driver", "cilium", "--ipam-driver", "cilium", "cilium-net");
        Docker.MustRun("run", "-d", "--name", "app1", "--net", "cilium-net", "-l", "id=app1", E2EEnvironment.Image, "httpd", "-f", "-p", "80", "-h", "/www");
        var page = Docker.MustRun("run", "--rm", "--net", "cilium-net", "-l", "id=app2", E2EEnvironment.Image, "timeout", "10", "wget", "-qO-", "http://app1");

        Assert.That(page, Is.EqualTo("hello from app1"));
    }
}
