using CiliumDocker.Protocol;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>Requests built from the exact bodies Docker Engine 20.10.24 sent (docker-20.10.24-requests.txt).</summary>
internal static class DockerRequests
{
    public const string NetworkId = "76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27";
    public const string EndpointId = "b2d8eaa5ad8aee405cc85bd2383a44c095f2fe142c0e839ea8d6326b47cc07a6";

    public const string RequestPoolJson = """{"AddressSpace":"CiliumLocal","Pool":"","SubPool":"","Options":{},"V6":false}""" + "\n";

    public const string CreateNetworkJson = """{"NetworkID":"76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27","Options":{"com.docker.network.enable_ipv6":false,"com.docker.network.generic":{}},"IPv4Data":[{"AddressSpace":"CiliumLocal","Gateway":"10.11.0.1/32","Pool":"0.0.0.0/0"}],"IPv6Data":[]}""" + "\n";

    public const string RequestAddressJson = """{"PoolID":"CiliumPoolv4","Address":"","Options":null}""" + "\n";

    public const string CreateEndpointJson = """{"NetworkID":"76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27","EndpointID":"b2d8eaa5ad8aee405cc85bd2383a44c095f2fe142c0e839ea8d6326b47cc07a6","Interface":{"Address":"10.11.0.2/32","AddressIPv6":"","MacAddress":""},"Options":{"com.docker.network.endpoint.exposedports":[],"com.docker.network.portmap":[]}}""" + "\n";

    public const string JoinJson = """{"NetworkID":"76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27","EndpointID":"b2d8eaa5ad8aee405cc85bd2383a44c095f2fe142c0e839ea8d6326b47cc07a6","SandboxKey":"/var/run/docker/netns/10de18e20ce2","Options":{"com.docker.network.endpoint.exposedports":[],"com.docker.network.portmap":[]}}""" + "\n";

    public const string EndpointJson = """{"NetworkID":"76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27","EndpointID":"b2d8eaa5ad8aee405cc85bd2383a44c095f2fe142c0e839ea8d6326b47cc07a6"}""" + "\n";

    public const string ReleaseAddressJson = """{"PoolID":"CiliumPoolv4","Address":"10.11.0.2"}""" + "\n";

    public const string ReleaseGatewayJson = """{"PoolID":"CiliumPoolv4","Address":"10.11.0.1"}""" + "\n";

    public const string ReleasePoolJson = """{"PoolID":"CiliumPoolv4"}""" + "\n";

    public const string DeleteNetworkJson = """{"NetworkID":"76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27"}""" + "\n";

    public static RequestPoolRequest Pool(bool v6 = false, string pool = "", string subPool = "")
        => new() { AddressSpace = "CiliumLocal", Pool = pool, SubPool = subPool, Options = [], V6 = v6 };

    public static RequestAddressRequest Address(string poolId, string address = "", Dictionary<string, string>? options = null)
        => new() { PoolId = poolId, Address = address, Options = options };

    public static RequestAddressRequest Gateway(string poolId, string address = "")
        => Address(poolId, address, new Dictionary<string, string> { ["RequestAddressType"] = "com.docker.network.gateway" });

    public static ReleaseAddressRequest Release(string poolId, string address) => new() { PoolId = poolId, Address = address };

    public static CreateEndpointRequest CreateEndpoint(string address, string addressIPv6 = "", string mac = "", string endpointId = EndpointId)
        => new()
        {
            NetworkId = NetworkId,
            EndpointId = endpointId,
            Interface = new EndpointInterface { Address = address, AddressIPv6 = addressIPv6, MacAddress = mac },
            Options = [],
        };

    public static EndpointRequest Endpoint(string endpointId = EndpointId) => new() { NetworkId = NetworkId, EndpointId = endpointId };

    /// <summary>ProgramExternalConnectivity as Docker sends it, the sandbox's port map under its option key, e.g.
    /// <c>{"Proto":6,"IP":"","Port":80,"HostIP":"","HostPort":8080,"HostPortEnd":8080}</c> per binding.</summary>
    public static EndpointRequest ExternalConnectivity(string endpointId = EndpointId, params string[] bindings) => new()
    {
        NetworkId = NetworkId,
        EndpointId = endpointId,
        Options = new()
        {
            ["com.docker.network.endpoint.exposedports"] = System.Text.Json.JsonDocument.Parse("[]").RootElement,
            [PortMapOption.Key] = System.Text.Json.JsonDocument.Parse("[" + string.Join(',', bindings) + "]").RootElement,
        },
    };

    /// <summary>One binding of the port map: <c>-p HOSTIP:HOSTPORT-HOSTPORTEND:PORT/PROTO</c>.</summary>
    public static string Binding(int port, int hostPort, int hostPortEnd = -1, string hostIP = "", int proto = 6)
        => $$"""{"Proto":{{proto}},"IP":"","Port":{{port}},"HostIP":"{{hostIP}}","HostPort":{{hostPort}},"HostPortEnd":{{(hostPortEnd < 0 ? hostPort : hostPortEnd)}}}""";

    public static JoinRequest Join(string endpointId = EndpointId, string sandboxKey = "/var/run/docker/netns/10de18e20ce2")
        => new() { NetworkId = NetworkId, EndpointId = endpointId, SandboxKey = sandboxKey, Options = [] };
}
