namespace CiliumDocker.Hosting;

/// <summary>
/// Starts the plugin's background services once the plugin socket listens, not before. The host resolves every
/// <see cref="IHostedService"/> before it starts the server, and resolving ours builds most of the graph (agent
/// client and its resilience pipeline, ledgers, janitors): 5–7 ms that Docker waited for its first answer
/// (bench/README.md). Registered as keyed services under <see cref="Key"/>, so the host does not see them.
/// </summary>
internal sealed partial class DeferredBackgroundServices(
    IServiceProvider provider,
    IHostApplicationLifetime lifetime,
    ILogger<DeferredBackgroundServices> logger) : IHostedService
{
    public const string Key = "cilium-docker.after-listen";

    private readonly List<IHostedService> _started = [];
    private CancellationTokenRegistration _onStarted;
    private Task _starting = Task.CompletedTask;

    /// <summary>True when a background service failed to start; the host was told to stop.</summary>
    public bool Failed { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStarted fires after the server listens; the first request is served on the thread pool meanwhile.
        _onStarted = lifetime.ApplicationStarted.Register(() => _starting = StartAllAsync(lifetime.ApplicationStopping));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _onStarted.DisposeAsync();
        await _starting;
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
            foreach (var service in provider.GetKeyedServices<IHostedService>(Key))
            {
                await service.StartAsync(stopping);
                _started.Add(service);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // As the host does when a hosted service fails to start: the plugin does not run half-started.
            Failed = true;
            LogStartFailed(logger, ex);
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(EventId = 702, Level = LogLevel.Critical, Message = "a background service failed to start; the plugin stops")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 703, Level = LogLevel.Error, Message = "background service {Service} failed to stop")]
    private static partial void LogStopFailed(ILogger logger, string service, Exception exception);
}
