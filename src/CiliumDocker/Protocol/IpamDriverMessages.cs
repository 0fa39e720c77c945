using System.Text.Json.Serialization;

namespace CiliumDocker.Protocol;

// libnetwork ipams/remote/api. Options maps are map[string]string on Docker's side.

internal sealed class IpamCapabilitiesResponse
{
    [JsonPropertyName("RequiresMACAddress")]
    public bool RequiresMacAddress { get; init; }

    [JsonPropertyName("RequiresRequestReplay")]
    public bool RequiresRequestReplay { get; init; }
}

internal sealed class AddressSpacesResponse
{
    [JsonPropertyName("LocalDefaultAddressSpace")]
    public required string LocalDefaultAddressSpace { get; init; }

    [JsonPropertyName("GlobalDefaultAddressSpace")]
    public required string GlobalDefaultAddressSpace { get; init; }
}

internal sealed class RequestPoolRequest
{
    [JsonPropertyName("AddressSpace")]
    public string? AddressSpace { get; init; }

    /// <summary><c>--subnet</c> as the user typed it; empty lets the IPAM choose.</summary>
    [JsonPropertyName("Pool")]
    public string? Pool { get; init; }

    /// <summary><c>--ip-range</c>.</summary>
    [JsonPropertyName("SubPool")]
    public string? SubPool { get; init; }

    [JsonPropertyName("Options")]
    public Dictionary<string, string>? Options { get; init; }

    [JsonPropertyName("V6")]
    public bool V6 { get; init; }
}

internal sealed class RequestPoolResponse
{
    [JsonPropertyName("PoolID")]
    public required string PoolId { get; init; }

    [JsonPropertyName("Pool")]
    public required string Pool { get; init; }

    [JsonPropertyName("Data")]
    public required Dictionary<string, string> Data { get; init; }
}

internal sealed class ReleasePoolRequest
{
    [JsonPropertyName("PoolID")]
    public string? PoolId { get; init; }
}

internal sealed class RequestAddressRequest
{
    [JsonPropertyName("PoolID")]
    public string? PoolId { get; init; }

    /// <summary>A plain IP (<c>--ip</c>, <c>--gateway</c>, aux addresses) or empty for any free address.</summary>
    [JsonPropertyName("Address")]
    public string? Address { get; init; }

    [JsonPropertyName("Options")]
    public Dictionary<string, string>? Options { get; init; }
}

internal sealed class RequestAddressResponse
{
    /// <summary>CIDR: Docker takes the prefix length as the interface's.</summary>
    [JsonPropertyName("Address")]
    public required string Address { get; init; }

    [JsonPropertyName("Data")]
    public Dictionary<string, string>? Data { get; init; }
}

internal sealed class ReleaseAddressRequest
{
    [JsonPropertyName("PoolID")]
    public string? PoolId { get; init; }

    [JsonPropertyName("Address")]
    public string? Address { get; init; }
}
