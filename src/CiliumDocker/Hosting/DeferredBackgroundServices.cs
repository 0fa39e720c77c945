namespace CiliumDocker.Hosting;

/// <summary>
/// Starts the plugin's background services once the plugin socket listens, not before: resolving them builds most of
/// the graph (agent client and its resilience pipeline, ledgers, janitors), 5–7 ms that Docker would wait for its
/// first answer (bench/README.md). They start in registration order and stop in reverse.
/// </summary>
internal sealed partial class DeferredBackgroundServices(
    IServiceProvider provider,
    PluginLifetime lifetime,
    ILogger<DeferredBackgroundServices> logger)
{
    private readonly List<IHostedService> _started = [];
    private readonly Lock _gate = new();
    private Task _starting = Task.CompletedTask;
    private bool _stopped;

    /// <summary>True when a background service failed to start; the plugin was told to stop.</summary>
    public bool Failed { get; private set; }

    /// <summary>Starts the services on the thread pool; the caller goes on serving meanwhile. Does nothing once
    /// <see cref="StopAsync"/> was called.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                _starting = Task.Run(() => StartAllAsync(lifetime.Stopping));
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task starting;
        lock (_gate)
        {
            _stopped = true;
            starting = _starting;
        }

        await starting;
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            try
            {
                await _started[i].StopAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogStopFailed(logger, _started[i].GetType().Name, ex);
            }
        }
    }

    private async Task StartAllAsync(CancellationToken stopping)
    {
        try
        {
            foreach (var service in provider.GetServices<IHostedService>())
            {
                await service.StartAsync(stopping);
                _started.Add(service);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The plugin does not run half-started.
            Failed = true;
            LogStartFailed(logger, ex);
            lifetime.StopApplication("a background service failed to start");
        }
    }

    [LoggerMessage(EventId = 702, Level = LogLevel.Critical, Message = "a background service failed to start; the plugin stops")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 703, Level = LogLevel.Error, Message = "background service {Service} failed to stop")]
    private static partial void LogStopFailed(ILogger logger, string service, Exception exception);
}
