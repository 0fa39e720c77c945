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

    private static DockerDaemon? _daemon;
    private static IAgentUnderTest? _agent;

    internal static DockerDaemon Daemon => _daemon ?? throw new InvalidOperationException("the environment is not set up");

    /// <summary>The run is against the real Cilium agent: only the <see cref="RealAgentCategory"/> tests and the final checks apply.</summary>
    internal static bool RealAgentRun => Environment.GetEnvironmentVariable("E2E_AGENT") == "real";

    internal const string RealAgentCategory = "RealAgent";

    internal static IAgentUnderTest Agent => _agent ?? throw new InvalidOperationException("the environment is not set up");

    /// <summary>Fault injection and the simulator's own state: only on a run against the simulator.</summary>
    internal static AgentSimulator Simulator => _agent as AgentSimulator
        ?? throw new InvalidOperationException($"this test needs the agent simulator; an E2E_AGENT=real run takes only the {RealAgentCategory} category");

    /// <summary>The bundle directory (<c>config.json</c> + <c>rootfs/</c>) <c>docker plugin create</c> takes.</summary>
    internal static string PluginBundle => Path.Combine(RepositoryPaths.Root, "plugin");

    /// <summary>Where the daemons the suite starts write their logs.</summary>
    internal static string Logs { get; } = Path.Combine(RepositoryPaths.Root, "artifacts", "e2e-logs");

    [OneTimeSetUp]
    public void StartEnvironment()
    {
        Directory.CreateDirectory(Logs);
        _daemon = DockerDaemon.EnsureRunning(Path.Combine(Logs, "dockerd.log"));
        if (Environment.GetEnvironmentVariable("E2E_DOCKERD") is { Length: > 0 } engine && !_daemon.StartedHere)
        {
            throw new InvalidOperationException($"E2E_DOCKERD names the engine to test ({engine}), but another Docker Engine already answers on the default socket; stop it first");
        }

        TestContext.Progress.WriteLine($"Docker Engine {DockerDaemon.ServerVersion()} ({string.Join(' ', DockerDaemon.Command)})");
        Shell.MustRun(Path.Combine(RepositoryPaths.Root, "tests/images/busybox-image.sh"), Image);
        Shell.MustRun(Path.Combine(RepositoryPaths.Root, "build-plugin.sh"), "--binary", RepositoryPaths.PluginBinary, "--bundle-only");
        _agent = RealAgentRun ? RealAgent.Connect() : AgentSimulator.Start(Path.Combine(Logs, "agent-sim.log"));
    }

    [OneTimeTearDown]
    public void StopEnvironment()
    {
        _agent?.Dispose();
        _daemon?.Dispose();
    }
}
