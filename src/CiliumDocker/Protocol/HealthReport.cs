using System.Text.Json.Serialization;

namespace CiliumDocker.Protocol;

internal sealed record HealthReport(
    [property: JsonPropertyName("healthy")] bool Healthy,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("agent")] AgentHealth Agent,
    [property: JsonPropertyName("labels")] LabelWatcherHealth Labels,
    [property: JsonPropertyName("cleanup")] CleanupHealth Cleanup,
    [property: JsonPropertyName("counters")] IReadOnlyDictionary<string, long> Counters);

internal sealed record AgentHealth(
    [property: JsonPropertyName("reachable")] bool Reachable,
    [property: JsonPropertyName("socket")] string Socket,
    [property: JsonPropertyName("configAgeSeconds")] double? ConfigAgeSeconds,
    [property: JsonPropertyName("lastError")] string? LastError,
    [property: JsonPropertyName("unreachableForSeconds")] double? UnreachableForSeconds,
    [property: JsonPropertyName("callsWaitForAgent")] bool CallsWaitForAgent);

internal sealed record LabelWatcherHealth(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("endpointsLabelled")] long EndpointsLabelled,
    [property: JsonPropertyName("lastError")] string? LastError);

/// <summary>Work owed to the agent that the background janitor has not finished yet.</summary>
internal sealed record CleanupHealth(
    [property: JsonPropertyName("reservedAddresses")] int ReservedAddresses,
    [property: JsonPropertyName("expiringAddresses")] int ExpiringAddresses,
    [property: JsonPropertyName("pendingAddressReleases")] int PendingAddressReleases,
    [property: JsonPropertyName("pendingEndpointDeletions")] int PendingEndpointDeletions);

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class ObservabilityJsonContext : JsonSerializerContext;
