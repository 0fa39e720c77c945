using System.Globalization;
using System.Text;
using CiliumDocker.Addresses;
using CiliumDocker.Agent;
using CiliumDocker.Endpoints;
using CiliumDocker.Labels;
using CiliumDocker.Observability;

namespace CiliumDocker.Protocol;

/// <summary><c>GET /metrics</c> in the Prometheus text exposition format (version 0.0.4).</summary>
internal sealed class MetricsEndpoint(
    PluginMetrics metrics,
    HealthEndpoint health,
    AgentCallStatistics agentStatistics,
    ILabelWatcherStatus labels,
    AddressLedger ledger,
    EndpointCleanupQueue cleanupQueue)
{
    public const string Path = "/metrics";
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    private const string Prefix = "cilium_docker_";

    public string Render()
    {
        var text = new StringBuilder(4096);
        var calls = metrics.SnapshotCalls();

        Header(text, "requests_total", "counter", "Docker plugin calls by method and outcome.");
        foreach (var call in calls)
        {
            foreach (var (outcome, count) in call.Outcomes.Where(pair => pair.Value > 0))
            {
                Sample(text, "requests_total", $"method=\"{Escape(call.Call)}\",outcome=\"{OutcomeLabel(outcome)}\"", count);
            }
        }

        Header(text, "request_duration_seconds", "histogram", "Time to answer a Docker plugin call.");
        foreach (var call in calls)
        {
            var method = $"method=\"{Escape(call.Call)}\"";
            for (var i = 0; i < call.CumulativeBuckets.Count; i++)
            {
                var bound = i < PluginMetrics.DurationBuckets.Count ? Number(PluginMetrics.DurationBuckets[i]) : "+Inf";
                Sample(text, "request_duration_seconds_bucket", $"{method},le=\"{bound}\"", call.CumulativeBuckets[i]);
            }

            Sample(text, "request_duration_seconds_sum", method, call.SumSeconds);
            Sample(text, "request_duration_seconds_count", method, call.Count);
        }

        var report = health.Build();
        Gauge(text, "agent_reachable", "1 when the Cilium agent answered most recently, 0 when it could not be reached.", report.Agent.Reachable ? 1 : 0);
        if (report.Agent.ConfigAgeSeconds is { } age)
        {
            Gauge(text, "agent_config_age_seconds", "Seconds since the agent configuration was fetched.", age);
        }

        Gauge(text, "agent_unreachable_seconds", "Seconds since the last attempt that connected to the agent, 0 while it answers.", report.Agent.UnreachableForSeconds ?? 0);
        Gauge(text, "agent_calls_fail_fast", "1 when the agent has been unreachable longer than a call's deadline and calls no longer wait for it.", report.Agent.CallsWaitForAgent ? 0 : 1);

        Counter(text, "agent_calls_total", "Calls made to the Cilium agent API.", agentStatistics.Calls);
        Counter(text, "agent_retries_total", "Agent calls retried after a transient failure.", agentStatistics.Retries);
        Counter(text, "agent_failures_total", "Agent calls that failed after every attempt.", agentStatistics.Failures);
        Counter(text, "agent_unreachable_total", "Agent call failures where the agent socket could not be reached.", agentStatistics.Unreachable);
        Counter(text, "endpoints_created_total", "Endpoints created (veth and agent endpoint).", metrics.EndpointsCreated);
        Counter(text, "endpoints_deleted_total", "Endpoints deleted.", metrics.EndpointsDeleted);
        Counter(text, "addresses_allocated_total", "Addresses allocated for Docker.", metrics.AddressesAllocated);
        Counter(text, "addresses_released_total", "Addresses released at the agent.", metrics.AddressesReleased);
        Gauge(text, "reserved_addresses", "Addresses reserved by IP that no endpoint has claimed yet.", ledger.ReservationCount);
        Gauge(text, "expiring_addresses", "Addresses allocated with an agent expiration timer that no endpoint has claimed yet.", ledger.ExpiringCount);
        Gauge(text, "pending_address_releases", "Address releases owed to the agent, retried in the background.", ledger.DeferredReleaseCount);
        Gauge(text, "pending_endpoint_deletions", "Agent endpoint deletions owed, retried in the background.", cleanupQueue.Count);
        Counter(text, "thread_pool_work_items_total", "Work items the .NET thread pool ran; with inline I/O (the default) Docker's calls add almost none.", ThreadPool.CompletedWorkItemCount);
        Counter(text, "gc_allocated_bytes_total", "Bytes the plugin allocated on the managed heap since it started.", GC.GetTotalAllocatedBytes());
        Header(text, "gc_collections_total", "counter", "Garbage collections by generation since the plugin started.");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            Sample(text, "gc_collections_total", $"generation=\"{generation}\"", GC.CollectionCount(generation));
        }

        Header(text, "label_watcher_state", "gauge", "1 for the label watcher's current state.");
        foreach (var state in Enum.GetValues<LabelWatcherState>())
        {
            Sample(text, "label_watcher_state", $"state=\"{state}\"", state == labels.State ? 1 : 0);
        }

        Counter(text, "label_watcher_endpoints_labelled_total", "Endpoints the label watcher copied container labels to.", labels.EndpointsLabelled);
        return text.ToString();
    }

    public async Task WriteAsync(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = Encoding.UTF8.GetBytes(Render());
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }

    private static string OutcomeLabel(CallOutcome outcome) => outcome switch
    {
        CallOutcome.Success => "success",
        CallOutcome.Error => "error",
        CallOutcome.NotFound => "not_found",
        _ => "aborted",
    };

    private static void Counter(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "counter", help);
        Sample(text, name, null, value);
    }

    private static void Gauge(StringBuilder text, string name, string help, double value)
    {
        Header(text, name, "gauge", help);
        Sample(text, name, null, value);
    }

    private static void Header(StringBuilder text, string name, string type, string help)
        => text.Append(CultureInfo.InvariantCulture, $"# HELP {Prefix}{name} {help}\n# TYPE {Prefix}{name} {type}\n");

    private static void Sample(StringBuilder text, string name, string? labels, double value)
        => text.Append(CultureInfo.InvariantCulture, $"{Prefix}{name}{(labels is null ? string.Empty : "{" + labels + "}")} {Number(value)}\n");

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
