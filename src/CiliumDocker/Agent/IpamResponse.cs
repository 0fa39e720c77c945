using System.Text.Json.Serialization;

namespace CiliumDocker.Agent;

/// <summary>
/// The answer to <c>POST /v1/ipam</c>. The agent puts each family's expiration UUID only in the per-family
/// <c>ipv4</c>/<c>ipv6</c> objects (<c>IPAMAddressResponse</c>); <c>address</c> carries the bare IPs and, from
/// Cilium 1.14, the pool names.
/// </summary>
internal sealed class IpamResponse
{
    [JsonPropertyName("address")]
    public AddressPair? Address { get; init; }

    [JsonPropertyName("host-addressing")]
    public NodeAddressing? HostAddressing { get; init; }

    [JsonPropertyName("ipv4")]
    public IpamAddressResponse? IPv4 { get; init; }

    [JsonPropertyName("ipv6")]
    public IpamAddressResponse? IPv6 { get; init; }

    public string? AddressOf(IpFamily family) => family == IpFamily.IPv4 ? Address?.IPv4 : Address?.IPv6;

    public string? ExpirationUuidOf(IpFamily family) => (family == IpFamily.IPv4 ? IPv4 : IPv6)?.ExpirationUuid;

    public string? PoolOf(IpFamily family) => family == IpFamily.IPv4 ? Address?.IPv4PoolName : Address?.IPv6PoolName;
}

/// <summary>One family's part of an allocation.</summary>
internal sealed class IpamAddressResponse
{
    [JsonPropertyName("ip")]
    public string? Ip { get; init; }

    [JsonPropertyName("expiration-uuid")]
    public string? ExpirationUuid { get; init; }
}

/// <summary>Bare IPs (no prefix length) plus, in an endpoint's <c>addressing</c>, the expiration UUIDs the agent
/// checks before it stops an address's timer.</summary>
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
