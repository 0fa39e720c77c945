using System.Text.Json.Serialization;

namespace CiliumAgentSim.Model;

/// <summary>Answer of <c>GET /v1/healthz</c>.</summary>
internal sealed class StatusResponse
{
    [JsonPropertyName("cilium")]
    public required SubsystemStatus Cilium { get; init; }

    [JsonPropertyName("kvstore")]
    public SubsystemStatus? Kvstore { get; init; }

    [JsonPropertyName("container-runtime")]
    public SubsystemStatus? ContainerRuntime { get; init; }

    [JsonPropertyName("ipam")]
    public IpamStatus? Ipam { get; init; }
}

internal sealed class SubsystemStatus
{
    [JsonPropertyName("state")]
    public required string State { get; init; }

    [JsonPropertyName("msg")]
    public string Msg { get; init; } = "";
}

internal sealed class IpamStatus
{
    /// <summary>Address to owner, both families merged, as the agent dumps it.</summary>
    [JsonPropertyName("allocations")]
    public required IReadOnlyDictionary<string, string> Allocations { get; init; }

    [JsonPropertyName("ipv4")]
    public IReadOnlyList<string>? IPv4 { get; init; }

    [JsonPropertyName("ipv6")]
    public IReadOnlyList<string>? IPv6 { get; init; }
}
