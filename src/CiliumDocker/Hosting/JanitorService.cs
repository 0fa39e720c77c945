using CiliumDocker.Addresses;
using CiliumDocker.Endpoints;

namespace CiliumDocker.Hosting;

/// <summary>
/// Retries, in the background, the agent work Docker will never ask for again: endpoint deletions first (an
/// endpoint keeps its addresses in use at the agent), then owed address releases.
/// </summary>
internal sealed partial class JanitorService(
    EndpointJanitor endpoints,
    AddressJanitor addresses,
    PluginOptions options,
    TimeProvider timeProvider,
    ILogger<JanitorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunOnceAsync(stoppingToken);
            try
            {
                await Task.Delay(options.JanitorInterval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await endpoints.RunOnceAsync(cancellationToken);
            await addresses.RunOnceAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRoundFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "background cleanup round failed; it is retried")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
