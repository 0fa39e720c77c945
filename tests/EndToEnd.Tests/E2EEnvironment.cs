using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests;

/// <summary>
/// One Docker Engine, one agent simulator in datapath mode, one test image and one plugin bundle for the whole
/// suite. Everything started here is stopped in the teardown.
/// </summary>
[SetUpFixture]
public sealed class E2EEnvironment
{
    public const string Image = "cilium-e2e/busybox:latest";

    private static DockerDaemon? s_daemon;
    private static AgentSimulator? s_agent;

    internal static DockerDaemon Daemon => s_daemon ?? throw new InvalidOperationException("the environment is not set up");

    internal static AgentSimulator Agent => s_agent ?? throw new InvalidOperationException("the environment is not set up");

    /// <summary>The bundle directory (<c>config.json</c> + <c>rootfs/</c>) <c>docker plugin create</c> takes.</summary>
    internal static string PluginBundle => Path.Combine(RepositoryPaths.Root, "plugin");

    [OneTimeSetUp]
    public void StartEnvironment()
    {
        Directory.CreateDirectory(RepositoryPaths.Logs);
        s_daemon = DockerDaemon.EnsureRunning(Path.Combine(RepositoryPaths.Logs, "dockerd.log"));
        Shell.MustRun(Path.Combine(RepositoryPaths.Root, "tests/images/busybox-image.sh"), Image);
        Shell.MustRun(Path.Combine(RepositoryPaths.Root, "build-plugin.sh"), "--binary", RepositoryPaths.PluginBinary, "--bundle-only");
        s_agent = AgentSimulator.Start(Path.Combine(RepositoryPaths.Logs, "agent-sim.log"));
    }

    [OneTimeTearDown]
    public void StopEnvironment()
    {
        s_agent?.Dispose();
        s_daemon?.Dispose();
    }
}
