using System.Text.Json.Serialization;

namespace CiliumAgentSim.Model;

/// <summary>Answer of <c>POST /v1/ipam</c> (201).</summary>
internal sealed class IpamResponse
{
    [JsonPropertyName("address")]
    public required AddressPair Address { get; init; }

    [JsonPropertyName("host-addressing")]
    public required NodeAddressing HostAddressing { get; init; }

    [JsonPropertyName("ipv4")]
    public IpamAddressResponse? IPv4 { get; init; }

    [JsonPropertyName("ipv6")]
    public IpamAddressResponse? IPv6 { get; init; }
}

internal sealed class IpamAddressResponse
{
    [JsonPropertyName("ip")]
    public required string Ip { get; init; }

    [JsonPropertyName("gateway")]
    public string Gateway { get; init; } = "";

    /// <summary>Cluster-pool IPAM names no CIDRs: the agent sends <c>null</c>.</summary>
    [JsonPropertyName("cidrs")]
    public IReadOnlyList<string>? Cidrs { get; init; }

    [JsonPropertyName("master-mac")]
    public string MasterMac { get; init; } = "";

    [JsonPropertyName("expiration-uuid")]
    public string ExpirationUuid { get; init; } = "";

    [JsonPropertyName("interface-number")]
    public string InterfaceNumber { get; init; } = "";
}

/// <summary>Bare IPs (no prefix length); every field is omitted when empty.</summary>
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
