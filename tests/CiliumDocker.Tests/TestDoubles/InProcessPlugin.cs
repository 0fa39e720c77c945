using CiliumDocker.Agent;
using CiliumDocker.Datapath;
using CiliumDocker.Hosting;
using CiliumDocker.Infrastructure;
using CiliumDocker.Labels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>The real plugin host (Kestrel on a temporary Unix socket) with the agent, datapath and labels doubled.</summary>
internal sealed class InProcessPlugin : IAsyncDisposable
{
    private readonly PluginHost _host;

    private InProcessPlugin(PluginHost host, string directory, PluginOptions options)
    {
        _host = host;
        Directory = directory;
        Options = options;
    }

    public string Directory { get; }

    public PluginOptions Options { get; }

    public string SocketPath => Options.SocketPath;

    public AgentModel Model { get; } = new(TimeProvider.System);

    public InMemoryCiliumAgent Agent { get; private set; } = null!;

    public FakeAgentConfig Config { get; private set; } = null!;

    public FakeEndpointDatapath Datapath { get; } = new();

    public FakeLabelWatcherStatus Labels { get; } = new();

    public IServiceProvider Services => _host.Services;

    public PluginHost Host => _host;

    /// <param name="agent">When given, the plugin talks to it through the real agent client and configuration
    /// monitor; otherwise through in-memory doubles.</param>
    /// <param name="moreServices">Registers services before the plugin's own, after the doubles.</param>
    public static async Task<InProcessPlugin> StartAsync(bool configFetched = true, SimulatedAgentServer? agent = null, Action<IServiceCollection>? moreServices = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("cdh-").FullName;
        var options = new PluginOptions
        {
            DockerPluginsDirectory = directory,
            StateDirectory = Path.Combine(directory, "state"),
            LogLevel = LogLevel.Warning,
            DockerHostPath = string.Empty,
            CiliumApi = agent is null ? SocketEndpoint.Parse(FakeAgentConfig.Socket) : SocketEndpoint.UnixSocket(agent.SocketPath),
            AgentRetryBudget = agent is null ? null : TimeSpan.FromSeconds(3),
        };
        System.IO.Directory.CreateDirectory(options.StateDirectory);

        InProcessPlugin? plugin = null;
        var host = PluginHost.Build(options, services =>
        {
            if (agent is null)
            {
                InMemoryCiliumAgent.Register(services, _ => plugin!.Agent);
                services.AddSingleton<IAgentConfig>(_ => plugin!.Config);
            }

            services.AddSingleton<IEndpointDatapath>(_ => plugin!.Datapath);
            services.AddSingleton<ILabelWatcherStatus>(_ => plugin!.Labels);
            moreServices?.Invoke(services);
        });
        plugin = new InProcessPlugin(host, directory, options);
        plugin.Agent = new InMemoryCiliumAgent(plugin.Model);
        plugin.Config = new FakeAgentConfig(TimeProvider.System, configFetched ? plugin.Model.Config : null);
        if (configFetched)
        {
            // The fetch the fake configuration stands for went through the client, which counts it as an answer.
            plugin.Agent.Statistics.RecordDelivered();
        }

        await host.StartAsync(CancellationToken.None);
        return plugin;
    }

    /// <summary>Bounded by the running test's [CancelAfter], so a hung plugin fails the test.</summary>
    public Task<WireResponse> PostAsync(string path, string? body)
        => DockerWire.PostAsync(SocketPath, path, body, NUnit.Framework.TestContext.CurrentContext.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
