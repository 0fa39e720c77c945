using System.Text.Json.Serialization;

namespace CiliumDocker.Cilium;

internal sealed class IpamResponse
{
    [JsonPropertyName("address")]
    public AddressPair? Address { get; init; }

    [JsonPropertyName("host-addressing")]
    public NodeAddressing? HostAddressing { get; init; }
}

/// <summary>Bare IPs (no prefix length) plus the expiration UUIDs an endpoint PUT hands back to the agent.</summary>
internal sealed class AddressPair
{
    [JsonPropertyName("ipv4")]
    public string? IPv4 { get; init; }

    [JsonPropertyName("ipv4-expiration-uuid")]
    public string? IPv4ExpirationUuid { get; init; }

    [JsonPropertyName("ipv4-pool-name")]
    public string? IPv4PoolName { get; init; }

    [JsonPropertyName("ipv6")]
    public string? IPv6 { get; init; }

    [JsonPropertyName("ipv6-expiration-uuid")]
    public string? IPv6ExpirationUuid { get; init; }

    [JsonPropertyName("ipv6-pool-name")]
    public string? IPv6PoolName { get; init; }
}
