using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests;

/// <summary>
/// One Docker Engine, one agent (the simulator in datapath mode, or with <c>E2E_AGENT=real</c> the real Cilium agent
/// that <c>tests/run-all.sh</c> started), one test image and one plugin bundle for the whole suite. Everything started
/// here is stopped in the teardown.
/// </summary>
[SetUpFixture]
public sealed class E2EEnvironment
{
    public const string Image = "cilium-e2e/busybox:latest";

    private static DockerDaemon? s_daemon;
    private static IAgentUnderTest? s_agent;

    internal static DockerDaemon Daemon => s_daemon ?? throw new InvalidOperationException("the environment is not set up");

    /// <summary>The run is against the real Cilium agent: only the <see cref="RealAgentCategory"/> tests and the final checks apply.</summary>
    internal static bool RealAgentRun => Environment.GetEnvironmentVariable("E2E_AGENT") == "real";

    internal const string RealAgentCategory = "RealAgent";

    internal static IAgentUnderTest Agent => s_agent ?? throw new InvalidOperationException("the environment is not set up");

    /// <summary>Fault injection and the simulator's own state: only on a run against the simulator.</summary>
    internal static AgentSimulator Simulator => s_agent as AgentSimulator
        ?? throw new InvalidOperationException($"this test needs the agent simulator; an E2E_AGENT=real run takes only the {RealAgentCategory} category");

    /// <summary>The bundle directory (<c>config.json</c> + <c>rootfs/</c>) <c>docker plugin create</c> takes.</summary>
    internal static string PluginBundle => Path.Combine(RepositoryPaths.Root, "plugin");

    [OneTimeSetUp]
    public void StartEnvironment()
    {
        Directory.CreateDirectory(RepositoryPaths.Logs);
        s_daemon = DockerDaemon.EnsureRunning(Path.Combine(RepositoryPaths.Logs, "dockerd.log"));
        Shell.MustRun(Path.Combine(RepositoryPaths.Root, "tests/images/busybox-image.sh"), Image);
        Shell.MustRun(Path.Combine(RepositoryPaths.Root, "build-plugin.sh"), "--binary", RepositoryPaths.PluginBinary, "--bundle-only");
        s_agent = RealAgentRun ? RealAgent.Connect() : AgentSimulator.Start(Path.Combine(RepositoryPaths.Logs, "agent-sim.log"));
    }

    [OneTimeTearDown]
    public void StopEnvironment()
    {
        s_agent?.Dispose();
        s_daemon?.Dispose();
    }
}
