using CiliumDocker.Agent;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;
using NUnit.Framework.Interfaces;

namespace CiliumDocker.Tests.Integration;

/// <summary>The published binary in its own network namespace, a simulated agent, and Docker's call sequences.</summary>
[Category("Integration")]
[CancelAfter(60_000)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
internal abstract class PluginIntegrationTest
{
    private readonly List<string> _directories = [];

    protected SimulatedAgentServer Agent { get; set; } = null!;

    protected PluginProcess Plugin { get; private set; } = null!;

    protected DockerEngineDouble Docker { get; private set; } = null!;

    protected static CancellationToken Cancellation => TestContext.CurrentContext.CancellationToken;

    [TearDown]
    public async Task StopEverythingAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed && Plugin is not null)
        {
            await TestContext.Out.WriteLineAsync("plugin output:\n" + Plugin.Output);
        }

        if (Plugin is not null)
        {
            await Plugin.DisposeAsync();
            _directories.Add(Plugin.Directory);
            Plugin = null!;
        }

        if (Agent is not null)
        {
            await Agent.DisposeAsync();
            Agent = null!;
        }

        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Starts the agent (unless <paramref name="agentUp"/> is false) and the plugin, and waits until the plugin serves.</summary>
    protected async Task StartAsync(DaemonConfigurationStatus? config = null, bool agentUp = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        Agent = new SimulatedAgentServer();
        Agent.Model.Config = config ?? AgentConfigs.IPv4Only();
        if (agentUp)
        {
            await Agent.StartAsync();
        }

        var settings = new Dictionary<string, string> { ["RETRY_BUDGET"] = "3" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            settings[name] = value;
        }

        Plugin = PluginProcess.Start(Agent.Uri, environment: settings);
        Docker = new DockerEngineDouble((path, body) => Plugin.PostAsync(path, body, Cancellation));
        await Plugin.WaitUntilServingAsync(Cancellation);
    }

    /// <summary>Waits until the plugin has the agent's configuration (its monitor fetches it in the background).</summary>
    protected async Task WaitForAgentConfigAsync()
        => await Eventually.ReturnsAsync(() => Plugin.GetAsync("/Plugin.Health", Cancellation), response => response.Status == 200, Cancellation);

    protected void TrackDirectory(string directory) => _directories.Add(directory);

    /// <summary>No address allocated at the agent that no endpoint holds, other than ones the agent will expire itself.</summary>
    protected void AssertNoLeakedAddresses()
        => Assert.That(Agent.Model.Unheld(includeExpiring: false), Is.Empty, "addresses allocated at the agent that nothing holds or expires");
}
