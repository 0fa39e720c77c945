using System.Text.Json.Serialization;

namespace CiliumAgentSim.Model;

/// <summary>
/// Body of <c>PUT /v1/service/{id}</c> and the <c>spec</c> the agent answers. Properties are in go-swagger's
/// (alphabetical) order because Go writes struct fields in declaration order. Numbers are read as <c>long</c> so
/// that a value outside Go's <c>uint16</c> gets Go's own parse error instead of a .NET one.
/// </summary>
internal sealed class ServiceSpec
{
    /// <summary>Go has no <c>omitempty</c> here: the agent always writes the array, <c>[]</c> when empty.</summary>
    [JsonPropertyName("backend-addresses")]
    public List<BackendAddress?>? BackendAddresses { get; init; }

    [JsonPropertyName("flags")]
    public ServiceSpecFlags? Flags { get; init; }

    [JsonPropertyName("frontend-address")]
    public FrontendAddress? FrontendAddress { get; init; }

    [JsonPropertyName("id")]
    public long? Id { get; init; }
}

internal sealed class ServiceSpecFlags
{
    [JsonPropertyName("healthCheckNodePort")]
    public long? HealthCheckNodePort { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    [JsonPropertyName("trafficPolicy")]
    public string? TrafficPolicy { get; init; }

    [JsonPropertyName("type")]
    public string? Type { get; init; }
}

/// <summary>What <c>GET /v1/service[/{id}]</c> answers: the agent writes the same spec twice.</summary>
internal sealed class Service
{
    [JsonPropertyName("spec")]
    public required ServiceSpec Spec { get; init; }

    [JsonPropertyName("status")]
    public required ServiceStatus Status { get; init; }
}

internal sealed class ServiceStatus
{
    [JsonPropertyName("realized")]
    public required ServiceSpec Realized { get; init; }
}
