using CiliumDocker.Cilium;
using CiliumDocker.Datapath;
using CiliumDocker.Docker;
using CiliumDocker.Ipam;
using CiliumDocker.Network;
using CiliumDocker.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CiliumDocker.Hosting;

/// <summary>
/// Builds the plugin host. The empty builder adds no configuration files and so no file watchers (with the slim
/// builder and a working directory of /, reload-on-change would watch the whole filesystem).
/// </summary>
internal static class PluginApplication
{
    /// <summary>Docker's largest requests are well under 1 KiB; anything near this is not Docker.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>Docker waits 10 s after SIGTERM before SIGKILL.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    /// <param name="addAgentServices">Registers <see cref="ICiliumAgent"/>, <see cref="IAgentConfig"/>,
    /// <see cref="AgentCallStatistics"/>, <see cref="IEndpointDatapath"/> and <c>ILabelWatcherStatus</c>.</param>
    public static WebApplication Build(PluginOptions options, Action<IServiceCollection> addAgentServices)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(addAgentServices);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = PluginSocket.BindWithOwnerOnlyMode);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.ListenUnixSocket(options.SocketPath, listen => listen.Protocols = HttpProtocols.Http1);
        });

        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", options.LogLevel <= LogLevel.Debug ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", options.LogLevel <= LogLevel.Information ? LogLevel.Information : options.LogLevel);

        var services = builder.Services;
        services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        services.AddRoutingCore();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        addAgentServices(services);
        services.AddAgentObservation();
        AddPluginServices(services, options);

        var app = builder.Build();
        app.MapPluginRoutes();
        return app;
    }

    private static void AddPluginServices(IServiceCollection services, PluginOptions options)
    {
        services.AddSingleton<PluginMetrics>();
        services.AddSingleton(provider => new PluginCallDispatcher(
            options.DockerCallDeadline,
            provider.GetRequiredService<PluginMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<PluginCallDispatcher>>()));

        services.AddSingleton(provider => new AddressLedger(
            new JsonStateFile<AddressLedgerState>(
                Path.Combine(options.StateDirectory, "addresses.json"),
                IpamStateJsonContext.Default.AddressLedgerState,
                provider.GetRequiredService<ILogger<AddressLedger>>()),
            options.AddressClaimTimeout,
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new EndpointCleanupQueue(
            new JsonStateFile<EndpointCleanupState>(
                Path.Combine(options.StateDirectory, "endpoint-cleanup.json"),
                NetworkStateJsonContext.Default.EndpointCleanupState,
                provider.GetRequiredService<ILogger<EndpointCleanupQueue>>()),
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SubnetCursor>();

        services.AddSingleton<IpamDriver>();
        services.AddSingleton<SandboxMembership>();
        services.AddSingleton<NetworkDriver>();
        services.AddSingleton<AddressJanitor>();
        services.AddSingleton<EndpointJanitor>();
        services.AddSingleton<JanitorService>();
        services.AddHostedService(provider => provider.GetRequiredService<JanitorService>());

        services.AddSingleton<HealthEndpoint>();
        services.AddSingleton<MetricsEndpoint>();
    }
}
