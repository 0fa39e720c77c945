using CiliumDocker.Cilium;
using CiliumDocker.Hosting;
using CiliumDocker.Ipam;
using CiliumDocker.Network;
using CiliumDocker.Observability;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>The plugin's handlers wired to in-memory doubles, fake time and a temporary state directory.</summary>
internal sealed class PluginHarness : IDisposable
{
    public PluginHarness(DaemonConfigurationStatus? config = null, bool configFetched = true)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        Model = new AgentModel(Time) { Config = config ?? AgentConfigs.IPv4Only() };
        Agent = new InMemoryCiliumAgent(Model);
        Config = new FakeAgentConfig(Time, configFetched ? Model.Config : null);
        StateDirectory = Directory.CreateTempSubdirectory("cd-state-").FullName;
        Reachability = new AgentReachability(Time);
        Observed = new ObservedCiliumAgent(Agent, Reachability);
        Ledger = NewLedger();
        Cleanup = NewCleanupQueue();
        Ipam = new IpamDriver(Config, Observed, Ledger, new SubnetCursor(), Metrics, NullLogger<IpamDriver>.Instance);
        Network = new NetworkDriver(Config, Observed, Datapath, Ledger, Cleanup, new SandboxMembership(), Metrics, NullLogger<NetworkDriver>.Instance);
        AddressJanitor = new AddressJanitor(Config, Observed, Ledger, Metrics, NullLogger<AddressJanitor>.Instance);
        EndpointJanitor = new EndpointJanitor(Observed, Cleanup, NullLogger<EndpointJanitor>.Instance);
    }

    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(10);

    public FakeTimeProvider Time { get; }

    public AgentModel Model { get; }

    public InMemoryCiliumAgent Agent { get; }

    public ObservedCiliumAgent Observed { get; }

    public AgentReachability Reachability { get; }

    public FakeAgentConfig Config { get; }

    public FakeEndpointDatapath Datapath { get; } = new();

    public PluginMetrics Metrics { get; } = new();

    public string StateDirectory { get; }

    public AddressLedger Ledger { get; }

    public EndpointCleanupQueue Cleanup { get; }

    public IpamDriver Ipam { get; }

    public NetworkDriver Network { get; }

    public AddressJanitor AddressJanitor { get; }

    public EndpointJanitor EndpointJanitor { get; }

    /// <summary>A second ledger on the same file: what a restarted plugin would load.</summary>
    public AddressLedger NewLedger() => new(
        new JsonStateFile<AddressLedgerState>(Path.Combine(StateDirectory, "addresses.json"), IpamStateJsonContext.Default.AddressLedgerState, NullLogger.Instance),
        ClaimTimeout,
        Time);

    public EndpointCleanupQueue NewCleanupQueue() => new(
        new JsonStateFile<EndpointCleanupState>(Path.Combine(StateDirectory, "endpoint-cleanup.json"), NetworkStateJsonContext.Default.EndpointCleanupState, NullLogger.Instance),
        Time);

    public async Task RunJanitorsAsync()
    {
        await EndpointJanitor.RunOnceAsync(CancellationToken.None);
        await AddressJanitor.RunOnceAsync(CancellationToken.None);
    }

    public void Dispose() => Directory.Delete(StateDirectory, recursive: true);
}
