using System.Net;
using CiliumDocker.Agent;
using CiliumDocker.Cleanup;
using CiliumDocker.Observability;

namespace CiliumDocker.Addresses;

/// <summary>Pays the releases the ledger says are owed: deferred ones and reservations no endpoint claimed.</summary>
internal sealed partial class AddressJanitor(
    IAgentConfig agentConfig,
    IAgentAddresses agent,
    AddressLedger ledger,
    PluginMetrics metrics,
    ILogger<AddressJanitor> logger)
{
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        // Without the agent's configuration the router address is unknown, and it must never be released.
        if (agentConfig.Current?.Status is not { } status)
        {
            return;
        }

        foreach (var (address, pool) in ledger.TakeDue())
        {
            if (NodeAddresses.IsRouter(status, address) || !ledger.IsReleaseDue(address))
            {
                ledger.Forget(address);
                continue;
            }

            var (outcome, failure) = await OwedWork.TryAsync(() => agent.ReleaseAsync(address.ToString(), pool, cancellationToken));
            switch (outcome)
            {
                case OwedWorkOutcome.StillOwed:
                    LogStillOwed(logger, address, failure!.Message);
                    if (failure.AgentUnreachable)
                    {
                        return;
                    }

                    continue;
                case OwedWorkOutcome.Refused:
                    LogGaveUp(logger, address, failure!.Message);
                    break;
                default:
                    metrics.RecordAddressReleased();
                    LogReleased(logger, address);
                    break;
            }

            ledger.Forget(address);
        }
    }

    [LoggerMessage(EventId = 308, Level = LogLevel.Information, Message = "released {Address}, which no endpoint holds")]
    private static partial void LogReleased(ILogger logger, IPAddress address);

    [LoggerMessage(EventId = 309, Level = LogLevel.Debug, Message = "release of {Address} still owed: {Reason}")]
    private static partial void LogStillOwed(ILogger logger, IPAddress address, string reason);

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "release of {Address} dropped, the agent refuses it for good: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, IPAddress address, string reason);
}
