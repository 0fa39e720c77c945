using System.Text.Json;
using System.Text.Json.Serialization;

namespace CiliumDocker.Protocol;

// libnetwork drivers/remote/api: Docker writes Go field names (PascalCase); every field may be absent.

internal sealed class NetworkCapabilitiesResponse
{
    [JsonPropertyName("Scope")]
    public required string Scope { get; init; }

    [JsonPropertyName("ConnectivityScope")]
    public required string ConnectivityScope { get; init; }
}

internal sealed class CreateNetworkRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; init; }

    /// <summary>Values are bools, objects or lists (<c>com.docker.network.generic</c>), so they stay raw.</summary>
    [JsonPropertyName("Options")]
    public Dictionary<string, JsonElement>? Options { get; init; }

    [JsonPropertyName("IPv4Data")]
    public List<IpamData>? IPv4Data { get; init; }

    [JsonPropertyName("IPv6Data")]
    public List<IpamData>? IPv6Data { get; init; }
}

internal sealed class IpamData
{
    [JsonPropertyName("AddressSpace")]
    public string? AddressSpace { get; init; }

    [JsonPropertyName("Pool")]
    public string? Pool { get; init; }

    [JsonPropertyName("Gateway")]
    public string? Gateway { get; init; }

    [JsonPropertyName("AuxAddresses")]
    public Dictionary<string, string>? AuxAddresses { get; init; }
}

/// <summary>DeleteNetwork, FreeNetwork and AllocateNetwork: only the network id matters here.</summary>
internal sealed class NetworkRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; init; }
}

internal sealed class CreateEndpointRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; init; }

    [JsonPropertyName("EndpointID")]
    public string? EndpointId { get; init; }

    [JsonPropertyName("Interface")]
    public EndpointInterface? Interface { get; init; }

    [JsonPropertyName("Options")]
    public Dictionary<string, JsonElement>? Options { get; init; }
}

internal sealed class EndpointInterface
{
    /// <summary>IPv4 in CIDR form, as the IPAM answered it.</summary>
    [JsonPropertyName("Address")]
    public string? Address { get; init; }

    [JsonPropertyName("AddressIPv6")]
    public string? AddressIPv6 { get; init; }

    [JsonPropertyName("MacAddress")]
    public string? MacAddress { get; init; }
}

internal sealed class CreateEndpointResponse
{
    /// <summary>Null when Docker already filled every field: Docker rejects a driver that changes them.</summary>
    [JsonPropertyName("Interface")]
    public EndpointInterfaceResponse? Interface { get; init; }
}

internal sealed class EndpointInterfaceResponse
{
    [JsonPropertyName("MacAddress")]
    public required string MacAddress { get; init; }
}

/// <summary>DeleteEndpoint, EndpointOperInfo, Leave, Program/RevokeExternalConnectivity.</summary>
internal sealed class EndpointRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; init; }

    [JsonPropertyName("EndpointID")]
    public string? EndpointId { get; init; }

    [JsonPropertyName("Options")]
    public Dictionary<string, JsonElement>? Options { get; init; }
}

internal sealed class EndpointOperInfoResponse
{
    [JsonPropertyName("Value")]
    public required Dictionary<string, string> Value { get; init; }
}

internal sealed class JoinRequest
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; init; }

    [JsonPropertyName("EndpointID")]
    public string? EndpointId { get; init; }

    [JsonPropertyName("SandboxKey")]
    public string? SandboxKey { get; init; }

    [JsonPropertyName("Options")]
    public Dictionary<string, JsonElement>? Options { get; init; }
}

internal sealed class JoinResponse
{
    [JsonPropertyName("InterfaceName")]
    public required InterfaceName InterfaceName { get; init; }

    /// <summary>A plain IP; null leaves the container's default route to another network.</summary>
    [JsonPropertyName("Gateway")]
    public string? Gateway { get; init; }

    [JsonPropertyName("GatewayIPv6")]
    public string? GatewayIPv6 { get; init; }

    [JsonPropertyName("StaticRoutes")]
    public required IReadOnlyList<StaticRoute> StaticRoutes { get; init; }

    [JsonPropertyName("DisableGatewayService")]
    public bool DisableGatewayService { get; init; }
}

internal sealed class InterfaceName
{
    [JsonPropertyName("SrcName")]
    public required string SrcName { get; init; }

    [JsonPropertyName("DstPrefix")]
    public required string DstPrefix { get; init; }
}

internal sealed class StaticRoute
{
    public const int NextHop = 0;
    public const int Connected = 1;

    [JsonPropertyName("Destination")]
    public required string Destination { get; init; }

    [JsonPropertyName("RouteType")]
    public required int RouteType { get; init; }

    [JsonPropertyName("NextHop")]
    public string? NextHopAddress { get; init; }
}

internal sealed class DiscoveryRequest
{
    [JsonPropertyName("DiscoveryType")]
    public int DiscoveryType { get; init; }

    [JsonPropertyName("DiscoveryData")]
    public JsonElement? DiscoveryData { get; init; }
}
