using CiliumDocker.Agent;
using CiliumDocker.Datapath;
using CiliumDocker.Hosting;
using CiliumDocker.Infrastructure;
using CiliumDocker.Labels;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>The real plugin host (Kestrel on a temporary Unix socket) with the agent, datapath and labels doubled.</summary>
internal sealed class InProcessPlugin : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessPlugin(WebApplication app, string directory, PluginOptions options)
    {
        _app = app;
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

    public IServiceProvider Services => _app.Services;

    /// <param name="agent">When given, the plugin talks to it through the real agent client and configuration
    /// monitor; otherwise through in-memory doubles.</param>
    public static async Task<InProcessPlugin> StartAsync(bool configFetched = true, SimulatedAgentServer? agent = null)
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
        var app = PluginApplication.Build(options, services =>
        {
            if (agent is null)
            {
                InMemoryCiliumAgent.Register(services, _ => plugin!.Agent);
                services.AddSingleton<IAgentConfig>(_ => plugin!.Config);
            }

            services.AddSingleton<IEndpointDatapath>(_ => plugin!.Datapath);
            services.AddSingleton<ILabelWatcherStatus>(_ => plugin!.Labels);
        });
        plugin = new InProcessPlugin(app, directory, options);
        plugin.Agent = new InMemoryCiliumAgent(plugin.Model);
        plugin.Config = new FakeAgentConfig(TimeProvider.System, configFetched ? plugin.Model.Config : null);
        if (configFetched)
        {
            // The fetch the fake configuration stands for went through the client, which counts it as an answer.
            plugin.Agent.Statistics.RecordDelivered();
        }

        await app.StartAsync();
        return plugin;
    }

    /// <summary>Bounded by the running test's [CancelAfter], so a hung plugin fails the test.</summary>
    public Task<WireResponse> PostAsync(string path, string? body)
        => DockerWire.PostAsync(SocketPath, path, body, NUnit.Framework.TestContext.CurrentContext.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
