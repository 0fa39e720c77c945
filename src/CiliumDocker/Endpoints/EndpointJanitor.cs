using CiliumDocker.Agent;
using CiliumDocker.Cleanup;

namespace CiliumDocker.Endpoints;

/// <summary>Deletes the agent endpoints Docker let go of while the agent could not take the deletion.</summary>
internal sealed partial class EndpointJanitor(IAgentEndpoints agent, EndpointCleanupQueue queue, ILogger<EndpointJanitor> logger)
{
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var endpointId in queue.Snapshot())
        {
            var (outcome, failure) = await OwedWork.TryAsync(() => agent.DeleteEndpointAsync(EndpointIds.DockerEndpoint(endpointId), cancellationToken));
            switch (outcome)
            {
                case OwedWorkOutcome.StillOwed:
                    LogStillPending(logger, endpointId, failure!.Message);
                    if (failure.AgentUnreachable)
                    {
                        return;
                    }

                    continue;
                case OwedWorkOutcome.Refused:
                    LogGaveUp(logger, endpointId, failure!.Message);
                    break;
                default:
                    LogDeleted(logger, endpointId);
                    break;
            }

            queue.Remove(endpointId);
        }
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "agent endpoint of {EndpointId} deleted")]
    private static partial void LogDeleted(ILogger logger, string endpointId);

    [LoggerMessage(EventId = 202, Level = LogLevel.Debug, Message = "deletion of agent endpoint {EndpointId} still pending: {Reason}")]
    private static partial void LogStillPending(ILogger logger, string endpointId, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "deletion of agent endpoint {EndpointId} dropped, the agent refuses it for good: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string endpointId, string reason);
}
