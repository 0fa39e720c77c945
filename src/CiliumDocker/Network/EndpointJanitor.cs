using CiliumDocker.Cilium;
using CiliumDocker.Ipam;
using Microsoft.Extensions.Logging;

namespace CiliumDocker.Network;

/// <summary>Deletes the agent endpoints Docker let go of while the agent could not take the deletion.</summary>
internal sealed partial class EndpointJanitor(ICiliumAgent agent, EndpointCleanupQueue queue, ILogger<EndpointJanitor> logger)
{
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var endpointId in queue.Snapshot())
        {
            try
            {
                await agent.DeleteEndpointAsync(EndpointIds.DockerEndpoint(endpointId), cancellationToken);
            }
            catch (CiliumAgentException ex) when (ex.IsWorthRetryingLater)
            {
                LogStillPending(logger, endpointId, ex.Message);
                if (ex.AgentUnreachable)
                {
                    return;
                }

                continue;
            }
            catch (CiliumAgentException ex)
            {
                LogGaveUp(logger, endpointId, ex.Message);
                queue.Remove(endpointId);
                continue;
            }

            queue.Remove(endpointId);
            LogDeleted(logger, endpointId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "agent endpoint of {EndpointId} deleted")]
    private static partial void LogDeleted(ILogger logger, string endpointId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "deletion of agent endpoint {EndpointId} still pending: {Reason}")]
    private static partial void LogStillPending(ILogger logger, string endpointId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "deletion of agent endpoint {EndpointId} dropped, the agent refuses it for good: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string endpointId, string reason);
}
