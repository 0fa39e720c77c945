using System.Security.Cryptography;

namespace CiliumDocker.Bench.Wire;

/// <summary>
/// Request bodies in the exact shape and key order Docker Engine 20.10.24 sends them
/// (docker-20.10.24-requests.txt). Values are hex ids, CIDRs and IPs, which need no JSON escaping.
/// </summary>
internal static class DockerRequests
{
    private const string NoPorts = "{\"com.docker.network.endpoint.exposedports\":[],\"com.docker.network.portmap\":[]}";

    /// <summary>A fresh 64-hex id, as Docker generates for networks, endpoints and sandboxes.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string RequestPool(string addressSpace) =>
        $$"""{"AddressSpace":"{{addressSpace}}","Pool":"","SubPool":"","Options":{},"V6":false}""";

    public static string RequestGatewayAddress(string poolId) =>
        $$$"""{"PoolID":"{{{poolId}}}","Address":"","Options":{"RequestAddressType":"com.docker.network.gateway"}}""";

    public static string CreateNetwork(string networkId, string addressSpace, string gatewayCidr, string pool) =>
        $$$"""{"NetworkID":"{{{networkId}}}","Options":{"com.docker.network.enable_ipv6":false,"com.docker.network.generic":{}},"IPv4Data":[{"AddressSpace":"{{{addressSpace}}}","Gateway":"{{{gatewayCidr}}}","Pool":"{{{pool}}}"}],"IPv6Data":[]}""";

    public static string NetworkOnly(string networkId) => $$"""{"NetworkID":"{{networkId}}"}""";

    public static string RequestAddress(string poolId) => $$"""{"PoolID":"{{poolId}}","Address":"","Options":null}""";

    public static string CreateEndpoint(string networkId, string endpointId, string addressCidr) =>
        $$"""{"NetworkID":"{{networkId}}","EndpointID":"{{endpointId}}","Interface":{"Address":"{{addressCidr}}","AddressIPv6":"","MacAddress":""},"Options":{{NoPorts}}}""";

    /// <summary>The sandbox key is <c>/var/run/docker/netns/</c> plus the first 12 hex of the sandbox id.</summary>
    public static string Join(string networkId, string endpointId, string sandboxId) =>
        $$"""{"NetworkID":"{{networkId}}","EndpointID":"{{endpointId}}","SandboxKey":"/var/run/docker/netns/{{sandboxId[..12]}}","Options":{{NoPorts}}}""";

    /// <summary>EndpointOperInfo, Leave and DeleteEndpoint all carry just the two ids.</summary>
    public static string Endpoint(string networkId, string endpointId) =>
        $$"""{"NetworkID":"{{networkId}}","EndpointID":"{{endpointId}}"}""";

    /// <summary>Docker releases the bare IP, without the mask RequestAddress answered with.</summary>
    public static string ReleaseAddress(string poolId, string ip) => $$"""{"PoolID":"{{poolId}}","Address":"{{ip}}"}""";

    public static string ReleasePool(string poolId) => $$"""{"PoolID":"{{poolId}}"}""";
}
