using System.Runtime.InteropServices;
using CiliumDocker.Infrastructure;
using CiliumDocker.Protocol;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace CiliumDocker.Hosting;

/// <summary>
/// Kestrel on the plugin socket, the plugin's services and its background services, started and stopped in that
/// order. Kestrel is built directly, without the generic host or <c>WebApplication</c>: their options, configuration
/// and lifetime services are open generics that the Native AOT runtime builds at start-up, and they held Docker's
/// first answer 5 ms behind the Go plugin's and the idle process 3 MiB above it (bench/README.md).
/// </summary>
internal sealed partial class PluginHost : IAsyncDisposable
{
    /// <summary>Docker's largest requests are well under 1 KiB; anything near this is not Docker.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>Docker waits 10 s after SIGTERM before SIGKILL.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly ServiceProvider _services;
    private readonly KestrelServer _server;
    private readonly DeferredBackgroundServices _backgroundServices;
    private readonly PluginOptions _options;
    private readonly ILogger<PluginHost> _logger;
    private int _stopped;

    private PluginHost(ServiceProvider services, KestrelServer server, PluginOptions options)
    {
        _services = services;
        _server = server;
        _options = options;
        _backgroundServices = services.GetRequiredService<DeferredBackgroundServices>();
        _logger = services.GetRequiredService<ILogger<PluginHost>>();
        Lifetime = services.GetRequiredService<PluginLifetime>();
    }

    public IServiceProvider Services => _services;

    public PluginLifetime Lifetime { get; }

    /// <summary>True when a background service failed to start, which stops the plugin.</summary>
    public bool Failed => _backgroundServices.Failed;

    /// <param name="options">What the command line decided.</param>
    /// <param name="replaceServices">Registers doubles before the plugin's own services (tests); null in production.</param>
    public static PluginHost Build(PluginOptions options, Action<IServiceCollection>? replaceServices = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        var services = new ServiceCollection();
        replaceServices?.Invoke(services);
        services.AddCiliumDockerPlugin(options);
        var provider = services.BuildServiceProvider();
        try
        {
            var loggerFactory = provider.GetRequiredService<ILoggerFactory>();
            var kestrel = new KestrelServerOptions { AddServerHeader = false, ApplicationServices = provider };
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.ListenUnixSocket(options.SocketPath, listen => listen.Protocols = HttpProtocols.Http1);
            var transport = new SocketTransportFactory(
                Options.Create(new SocketTransportOptions
                {
                    CreateBoundListenSocket = PluginSocket.BindWithOwnerOnlyMode,

                    // Without the runtime's inline completions this only adds a hop (bench/README.md): they go together.
                    UnsafePreferInlineScheduling = options.InlineIo,
                }),
                loggerFactory);
            return new PluginHost(provider, new KestrelServer(Options.Create(kestrel), transport, loggerFactory), options);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>Serves until SIGTERM, SIGINT or SIGQUIT, or until a background service fails to start.</summary>
    /// <returns>False when the plugin stopped because a background service failed.</returns>
    public async Task<bool> RunAsync()
    {
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
        await StartAsync(Lifetime.Stopping);
        await Task.Delay(Timeout.Infinite, Lifetime.Stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await StopAsync();
        return !Failed;
    }

    /// <summary>Listens on the plugin socket, then starts the background services: Docker's first answer waits for
    /// nothing but Kestrel.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _server.StartAsync(new PluginHttpApplication(PluginRoutes.Create(_services)), cancellationToken);
        LogListening(_logger, PluginVersion.Current, _options.SocketPath, _options.CiliumApi.Address, _options.StateDirectory);
        _backgroundServices.Start();
    }

    /// <summary>Stops accepting, lets calls in flight finish within <see cref="ShutdownTimeout"/>, then stops the
    /// background services in the time left. A second call does nothing.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        Lifetime.StopApplication("stopped by its host");
        LogStopping(_logger, Lifetime.StopReason!);
        using var timeout = new CancellationTokenSource(ShutdownTimeout);
        await _server.StopAsync(timeout.Token);
        await _backgroundServices.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _server.Dispose();
        await _services.DisposeAsync();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The host stops in its own time; the runtime's default would end the process before the socket is closed.
        context.Cancel = true;
        Lifetime.StopApplication(context.Signal.ToString());
    }

    [LoggerMessage(EventId = 704, Level = LogLevel.Information, Message = "cilium-docker {Version}: serving Docker on {Socket}, Cilium agent {Agent}, state in {StateDirectory}")]
    private static partial void LogListening(ILogger logger, string version, string socket, string agent, string stateDirectory);

    [LoggerMessage(EventId = 705, Level = LogLevel.Information, Message = "stopping ({Reason}): no new calls, the calls in flight finish")]
    private static partial void LogStopping(ILogger logger, string reason);
}
