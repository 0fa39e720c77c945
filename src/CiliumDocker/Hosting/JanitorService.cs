using CiliumDocker.Addresses;
using CiliumDocker.Endpoints;
using CiliumDocker.Ports;

namespace CiliumDocker.Hosting;

/// <summary>
/// Retries, in the background, the agent work Docker will never ask for again: endpoint deletions first (an
/// endpoint keeps its addresses in use at the agent), then owed address releases, then published ports (owed
/// deletions, services of containers that went while the plugin was down, services the agent lost).
/// </summary>
internal sealed partial class JanitorService(
    EndpointJanitor endpoints,
    AddressJanitor addresses,
    PortPublisher ports,
    PluginOptions options,
    TimeProvider timeProvider,
    ILogger<JanitorService> logger) : BackgroundService
{
    private bool _portsChecked;

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
            await ports.RepairAsync(checkEndpoints: !_portsChecked, cancellationToken);
            _portsChecked = true;
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
