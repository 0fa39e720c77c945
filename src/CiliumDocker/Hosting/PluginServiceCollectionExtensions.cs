using CiliumDocker.Addresses;
using CiliumDocker.Agent;
using CiliumDocker.Datapath;
using CiliumDocker.Endpoints;
using CiliumDocker.Infrastructure;
using CiliumDocker.Labels;
using CiliumDocker.Observability;
using CiliumDocker.Ports;
using CiliumDocker.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CiliumDocker.Hosting;

/// <summary>The composition root: every service of the plugin, registered in one place.</summary>
internal static class PluginServiceCollectionExtensions
{
    public const string AddressStateFile = "addresses.json";
    public const string EndpointCleanupStateFile = "endpoint-cleanup.json";
    public const string PublishedPortsStateFile = "published-ports.json";

    /// <summary>
    /// Registers the plugin for <paramref name="options"/>. Every registration is a TryAdd, so a host (a test) that
    /// registered a service first, an agent double or a fake datapath, keeps its own.
    /// </summary>
    public static IServiceCollection AddCiliumDockerPlugin(this IServiceCollection services, PluginOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);

        AddLogging(services, options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options);
        AddAgent(services, options);
        AddDatapath(services, options);
        AddLabels(services, options);
        AddAddressesAndEndpoints(services, options);
        AddProtocol(services, options);
        services.TryAddSingleton<PluginLifetime>();
        services.TryAddSingleton(static provider => new DeferredBackgroundServices(
            provider,
            provider.GetRequiredService<PluginLifetime>(),
            provider.GetRequiredService<ILogger<DeferredBackgroundServices>>()));
        return services;
    }

    /// <summary>
    /// One line per entry on standard output, where Docker collects a plugin's log. The factory is built here, not
    /// through its options monitor: that monitor and its factories are open generics the Native AOT runtime would
    /// build at start-up. The framework (Kestrel) logs only warnings unless the plugin logs at debug.
    /// </summary>
    private static void AddLogging(IServiceCollection services, PluginOptions options)
    {
        services.AddSingleton<ILoggerProvider>(static provider => new LineLoggerProvider(Console.Out, provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ILoggerFactory>(provider =>
        {
            var filter = new LoggerFilterOptions { MinLevel = options.LogLevel };
            filter.Rules.Add(new LoggerFilterRule(null, "Microsoft", options.LogLevel <= LogLevel.Debug ? LogLevel.Information : LogLevel.Warning, null));
            return new LoggerFactory(provider.GetServices<ILoggerProvider>(), filter);
        });
        AddLoggers(services);
    }

    /// <summary>
    /// A closed <see cref="ILogger{T}"/> per class of the plugin that takes one (a test keeps the list complete).
    /// Resolved through an open-generic registration (AddLogging's), each one has the Native AOT runtime build
    /// <c>Logger&lt;T&gt;</c> with its type loader at start-up; these are compiled ahead of time. Registering them
    /// took the median start-up from 46 ms to 28–35 ms (bench/README.md).
    /// </summary>
    private static void AddLoggers(IServiceCollection services)
    {
        AddLogger<AddressAllocator>(services);
        AddLogger<AddressJanitor>(services);
        AddLogger<AddressLedger>(services);
        AddLogger<AgentConfigMonitor>(services);
        AddLogger<CiliumAgentClient>(services);
        AddLogger<DeferredBackgroundServices>(services);
        AddLogger<DockerLabelWatcher>(services);
        AddLogger<EndpointCleanupQueue>(services);
        AddLogger<EndpointJanitor>(services);
        AddLogger<EndpointLifecycle>(services);
        AddLogger<JanitorService>(services);
        AddLogger<NetlinkEndpointDatapath>(services);
        AddLogger<NetworkDriver>(services);
        AddLogger<PluginCallDispatcher>(services);
        AddLogger<PluginHost>(services);
        AddLogger<PortPublisher>(services);
        AddLogger<PublishedPortTable>(services);
    }

    private static void AddLogger<T>(IServiceCollection services)
        => services.TryAddSingleton<ILogger<T>>(static provider => new Logger<T>(provider.GetRequiredService<ILoggerFactory>()));

    private static void AddAgent(IServiceCollection services, PluginOptions options)
    {
        services.TryAddSingleton(options.ToAgentClientOptions());
        services.TryAddSingleton<AgentCallStatistics>();
        services.TryAddSingleton<HostAddressingFeed>();
        services.TryAddSingleton<CiliumAgentClient>();
        services.TryAddSingleton<IAgentAddresses>(static provider => provider.GetRequiredService<CiliumAgentClient>());
        services.TryAddSingleton<IAgentEndpoints>(static provider => provider.GetRequiredService<CiliumAgentClient>());
        services.TryAddSingleton<IAgentEndpointLabels>(static provider => provider.GetRequiredService<CiliumAgentClient>());
        services.TryAddSingleton<IAgentConfigSource>(static provider => provider.GetRequiredService<CiliumAgentClient>());
        services.TryAddSingleton<IAgentServices>(static provider => provider.GetRequiredService<CiliumAgentClient>());

        // One monitor, as the configuration every handler reads and as the hosted service that keeps it fresh.
        services.TryAddSingleton<AgentConfigMonitor>();
        services.TryAddSingleton<IAgentConfig>(static provider => provider.GetRequiredService<AgentConfigMonitor>());
        AddBackgroundService(services, static provider => provider.GetRequiredService<IAgentConfig>() as AgentConfigMonitor);
    }

    private static void AddDatapath(IServiceCollection services, PluginOptions options)
    {
        if (options.EndpointDatapath == EndpointDatapathKind.None)
        {
            services.TryAddSingleton<IEndpointDatapath, NoEndpointDatapath>();
        }
        else
        {
            services.TryAddSingleton<NetlinkEndpointDatapath>();
            services.TryAddSingleton<IEndpointDatapath>(static provider => new DedicatedThreadEndpointDatapath(
                provider.GetRequiredService<NetlinkEndpointDatapath>(), NetlinkEndpointDatapath.DefaultMaxSockets));
        }
    }

    private static void AddLabels(IServiceCollection services, PluginOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DockerHostPath))
        {
            services.TryAddSingleton<ILabelWatcherStatus, DisabledLabelWatcher>();
            return;
        }

        var host = DockerHost.Parse(options.DockerHostPath);
        services.TryAddSingleton(new DockerLabelWatcherOptions());
        services.TryAddSingleton(provider => new DockerLabelWatcher(
            host,
            provider.GetRequiredService<IAgentEndpointLabels>(),
            provider.GetRequiredService<DockerLabelWatcherOptions>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<DockerLabelWatcher>>()));
        services.TryAddSingleton<ILabelWatcherStatus>(static provider => provider.GetRequiredService<DockerLabelWatcher>());
        AddBackgroundService(services, static provider => provider.GetRequiredService<ILabelWatcherStatus>() as DockerLabelWatcher);
    }

    private static void AddAddressesAndEndpoints(IServiceCollection services, PluginOptions options)
    {
        services.TryAddSingleton<PluginMetrics>();
        services.TryAddSingleton(provider => new AddressLedger(
            new JsonStateFile<AddressLedgerState>(
                Path.Combine(options.StateDirectory, AddressStateFile),
                AddressStateJsonContext.Default.AddressLedgerState,
                provider.GetRequiredService<ILogger<AddressLedger>>()),
            options.AddressClaimTimeout,
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new EndpointCleanupQueue(
            new JsonStateFile<EndpointCleanupState>(
                Path.Combine(options.StateDirectory, EndpointCleanupStateFile),
                EndpointStateJsonContext.Default.EndpointCleanupState,
                provider.GetRequiredService<ILogger<EndpointCleanupQueue>>()),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new PublishedPortTable(
            new JsonStateFile<PublishedPortsState>(
                Path.Combine(options.StateDirectory, PublishedPortsStateFile),
                PublishedPortsJsonContext.Default.PublishedPortsState,
                provider.GetRequiredService<ILogger<PublishedPortTable>>())));
        services.TryAddSingleton<IHostPortProbe, SocketHostPortProbe>();
        services.TryAddSingleton<PortPublisher>();
        services.TryAddSingleton<SubnetCursor>();
        services.TryAddSingleton<AddressAllocator>();
        services.TryAddSingleton<SandboxMembership>();
        services.TryAddSingleton<EndpointLifecycle>();
        services.TryAddSingleton<AddressJanitor>();
        services.TryAddSingleton<EndpointJanitor>();
        services.TryAddSingleton<JanitorService>();
        AddBackgroundService(services, static provider => provider.GetRequiredService<JanitorService>());
    }

    private static void AddProtocol(IServiceCollection services, PluginOptions options)
    {
        services.TryAddSingleton(provider => new PluginCallDispatcher(
            options.DockerCallDeadline,
            provider.GetRequiredService<PluginMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<PluginCallDispatcher>>()));
        services.TryAddSingleton<IpamDriver>();
        services.TryAddSingleton<NetworkDriver>();
        services.TryAddSingleton<HealthEndpoint>();
        services.TryAddSingleton<MetricsEndpoint>();
    }

    /// <summary>
    /// A service <see cref="DeferredBackgroundServices"/> starts once the socket listens; <paramref name="resolve"/>
    /// returns null when a host replaced the service's interface with a double, which then has nothing to run.
    /// </summary>
    private static void AddBackgroundService(IServiceCollection services, Func<IServiceProvider, IHostedService?> resolve)
        => services.AddSingleton<IHostedService>(provider => resolve(provider) ?? NoBackgroundWork.Instance);

    /// <summary>Stands in for a background service whose interface a host replaced with a double.</summary>
    private sealed class NoBackgroundWork : BackgroundService
    {
        public static readonly NoBackgroundWork Instance = new();

        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }
}
