using System.Text.Json;
using CiliumDocker.Addresses;
using CiliumDocker.Agent;
using CiliumDocker.Endpoints;
using CiliumDocker.Infrastructure;
using CiliumDocker.Labels;
using CiliumDocker.Observability;

namespace CiliumDocker.Protocol;

/// <summary><c>GET /Plugin.Health</c>: 200 when the agent answers and its latest configuration fetch succeeded, else 503.</summary>
internal sealed class HealthEndpoint(
    IAgentConfig agentConfig,
    AgentCallStatistics agentStatistics,
    ILabelWatcherStatus labels,
    AddressLedger ledger,
    EndpointCleanupQueue cleanupQueue,
    PluginMetrics metrics,
    AgentClientOptions agentOptions,
    TimeProvider timeProvider)
{
    public const string Path = "/Plugin.Health";

    public HealthReport Build()
    {
        var snapshot = agentConfig.Current;
        var now = timeProvider.GetUtcNow();
        var outage = agentStatistics.OutageLength(now);
        var reachable = agentStatistics.Reachable;

        // The monitor's error is current (it clears on success); a call's error may be older.
        var lastError = agentConfig.LastError ?? agentStatistics.LastError;
        var calls = metrics.SnapshotCalls();
        var counters = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["requests"] = calls.Sum(call => call.Count),
            ["requestErrors"] = calls.Sum(call => call.Outcomes[CallOutcome.Error]),
            ["endpointsCreated"] = metrics.EndpointsCreated,
            ["endpointsDeleted"] = metrics.EndpointsDeleted,
            ["addressesAllocated"] = metrics.AddressesAllocated,
            ["addressesReleased"] = metrics.AddressesReleased,
            ["agentCalls"] = agentStatistics.Calls,
            ["agentRetries"] = agentStatistics.Retries,
            ["agentFailures"] = agentStatistics.Failures,
            ["agentUnreachable"] = agentStatistics.Unreachable,
        };

        return new HealthReport(
            Healthy: reachable && snapshot is not null && agentConfig.LastError is null,
            Version: PluginVersion.Current,
            Agent: new AgentHealth(
                reachable,
                agentOptions.Endpoint.Address,
                snapshot is null ? null : Math.Round((now - snapshot.FetchedAt).TotalSeconds, 1),
                lastError,
                outage is { } length ? Math.Round(length.TotalSeconds, 1) : null,
                CallsWaitForAgent: agentStatistics.OutageLongerThan(agentOptions.TotalBudget, now) is null),
            Labels: new LabelWatcherHealth(labels.State.ToString(), labels.EndpointsLabelled, labels.LastError),
            Cleanup: new CleanupHealth(ledger.ReservationCount, ledger.ExpiringCount, ledger.DeferredReleaseCount, cleanupQueue.Count),
            Counters: counters);
    }

    public async Task WriteAsync(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var report = Build();
        var body = JsonSerializer.SerializeToUtf8Bytes(report, ObservabilityJsonContext.Default.HealthReport);
        response.StatusCode = report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }
}
