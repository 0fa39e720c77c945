using CiliumDocker.Addresses;
using CiliumDocker.Agent;
using CiliumDocker.Datapath;
using CiliumDocker.Endpoints;
using CiliumDocker.Hosting;
using CiliumDocker.Infrastructure;
using CiliumDocker.Labels;
using CiliumDocker.Observability;
using CiliumDocker.Ports;
using CiliumDocker.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>
/// The plugin's handlers as the composition root wires them, with in-memory doubles for the agent and the
/// datapath, fake time and a temporary state directory.
/// </summary>
internal sealed class PluginHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public PluginHarness(DaemonConfigurationStatus? config = null, bool configFetched = true)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        Model = new AgentModel(Time) { Config = config ?? AgentConfigs.IPv4Only() };
        Agent = new InMemoryCiliumAgent(Model);
        Config = new FakeAgentConfig(Time, configFetched ? Model.Config : null);
        StateDirectory = Directory.CreateTempSubdirectory("cd-state-").FullName;
        Options = new PluginOptions
        {
            CiliumApi = SocketEndpoint.Parse(FakeAgentConfig.Socket),
            DockerHostPath = string.Empty,
            StateDirectory = StateDirectory,
            AddressClaimTimeout = ClaimTimeout,
        };
        _services = InMemoryCiliumAgent.Register(new ServiceCollection(), _ => Agent)
            .AddSingleton<TimeProvider>(Time)
            .AddSingleton<IAgentConfig>(Config)
            .AddSingleton<IEndpointDatapath>(Datapath)
            .AddSingleton<ILabelWatcherStatus>(Labels)
            .AddSingleton<IHostPortProbe>(HostPorts)
            .AddCiliumDockerPlugin(Options)
            .BuildServiceProvider();
    }

    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(10);

    public FakeTimeProvider Time { get; }

    public AgentModel Model { get; }

    public InMemoryCiliumAgent Agent { get; }

    public FakeAgentConfig Config { get; }

    public FakeEndpointDatapath Datapath { get; } = new();

    public FakeLabelWatcherStatus Labels { get; } = new();

    public FakeHostPortProbe HostPorts { get; } = new();

    public PluginOptions Options { get; }

    public string StateDirectory { get; }

    public PluginMetrics Metrics => Get<PluginMetrics>();

    public AddressLedger Ledger => Get<AddressLedger>();

    public EndpointCleanupQueue Cleanup => Get<EndpointCleanupQueue>();

    public IpamDriver Ipam => Get<IpamDriver>();

    public NetworkDriver Network => Get<NetworkDriver>();

    public AddressJanitor AddressJanitor => Get<AddressJanitor>();

    public EndpointJanitor EndpointJanitor => Get<EndpointJanitor>();

    public PortPublisher Ports => Get<PortPublisher>();

    public PublishedPortTable PublishedPorts => Get<PublishedPortTable>();

    /// <summary>A second table on the same file: what a restarted plugin would load.</summary>
    public PublishedPortTable NewPublishedPortTable() => new(
        new JsonStateFile<PublishedPortsState>(
            Path.Combine(StateDirectory, PluginServiceCollectionExtensions.PublishedPortsStateFile), PublishedPortsJsonContext.Default.PublishedPortsState, NullLogger.Instance));

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>A second ledger on the same file: what a restarted plugin would load.</summary>
    public AddressLedger NewLedger() => new(
        new JsonStateFile<AddressLedgerState>(
            Path.Combine(StateDirectory, PluginServiceCollectionExtensions.AddressStateFile), AddressStateJsonContext.Default.AddressLedgerState, NullLogger.Instance),
        ClaimTimeout,
        Time);

    /// <summary>The network driver of a restarted plugin: the same agent, state files and datapath, but nothing this
    /// process remembered in memory.</summary>
    public NetworkDriver RestartedNetwork() => new(
        ActivatorUtilities.CreateInstance<EndpointLifecycle>(_services, new SandboxMembership()),
        NullLogger<NetworkDriver>.Instance);

    public EndpointCleanupQueue NewCleanupQueue() => new(
        new JsonStateFile<EndpointCleanupState>(
            Path.Combine(StateDirectory, PluginServiceCollectionExtensions.EndpointCleanupStateFile), EndpointStateJsonContext.Default.EndpointCleanupState, NullLogger.Instance),
        Time);

    public async Task RunJanitorsAsync()
    {
        await EndpointJanitor.RunOnceAsync(CancellationToken.None);
        await AddressJanitor.RunOnceAsync(CancellationToken.None);
        await Ports.RepairAsync(checkEndpoints: false, CancellationToken.None);
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(StateDirectory, recursive: true);
    }
}
