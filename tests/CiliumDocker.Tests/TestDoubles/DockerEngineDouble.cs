using System.Security.Cryptography;
using System.Text.Json;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>
/// Drives a plugin the way Docker Engine 20.10 does (docker-plugin-protocol.md §3.3), including its rollbacks:
/// a failed CreateEndpoint releases the addresses, a failed Join deletes the endpoint and releases them.
/// </summary>
internal sealed class DockerEngineDouble(Func<string, string?, Task<WireResponse>> post)
{
    public List<(string Call, WireResponse Response)> Log { get; } = [];

    /// <summary>Runs between CreateEndpoint and Join: where a test puts a fault in the middle of a start.</summary>
    public Func<Task>? BeforeJoin { get; set; }

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary><c>docker network create --driver cilium --ipam-driver cilium [--ipv6] [--subnet S]</c>.</summary>
    public async Task<DockerNetwork> CreateNetworkAsync(bool ipv6 = false, string subnet = "")
    {
        var pool4 = await CallAsync("/IpamDriver.RequestPool", $$$"""{"AddressSpace":"CiliumLocal","Pool":"{{{subnet}}}","SubPool":"","Options":{},"V6":false}""");
        JsonElement? pool6 = null;
        if (ipv6)
        {
            pool6 = await CallAsync("/IpamDriver.RequestPool", """{"AddressSpace":"CiliumLocal","Pool":"","SubPool":"","Options":{},"V6":true}""");
        }

        var network = new DockerNetwork(NewId(), Pool(pool4), OptionalPool(pool6));
        var v6Data = network.IPv6 is { } p6 ? $$$"""[{"AddressSpace":"CiliumLocal","Gateway":"{{{p6.Gateway}}}","Pool":"{{{p6.Pool}}}"}]""" : "[]";
        await CallAsync(
            "/NetworkDriver.CreateNetwork",
            $$$"""{"NetworkID":"{{{network.Id}}}","Options":{"com.docker.network.enable_ipv6":{{{(ipv6 ? "true" : "false")}}},"com.docker.network.generic":{}},"IPv4Data":[{"AddressSpace":"CiliumLocal","Gateway":"{{{network.IPv4.Gateway}}}","Pool":"{{{network.IPv4.Pool}}}"}],"IPv6Data":{{{v6Data}}}}""");
        return network;
    }

    /// <summary><c>docker run --net N [--ip X]</c>: throws <see cref="DockerCallException"/> after Docker's rollback.</summary>
    public async Task<DockerContainer> StartContainerAsync(DockerNetwork network, string ip = "")
    {
        var endpointId = NewId();
        var address4 = Address(await CallAsync("/IpamDriver.RequestAddress", $$$"""{"PoolID":"{{{network.IPv4.PoolId}}}","Address":"{{{ip}}}","Options":null}"""));
        string? address6 = null;
        try
        {
            if (network.IPv6 is { } pool6)
            {
                address6 = Address(await CallAsync("/IpamDriver.RequestAddress", $$$"""{"PoolID":"{{{pool6.PoolId}}}","Address":"","Options":null}"""));
            }

            var container = new DockerContainer(network, endpointId, address4, address6);
            await CallAsync(
                "/NetworkDriver.CreateEndpoint",
                $$$"""{"NetworkID":"{{{network.Id}}}","EndpointID":"{{{endpointId}}}","Interface":{"Address":"{{{address4}}}","AddressIPv6":"{{{address6}}}","MacAddress":""},"Options":{"com.docker.network.endpoint.exposedports":[],"com.docker.network.portmap":[]}}""");
            try
            {
                if (BeforeJoin is { } beforeJoin)
                {
                    await beforeJoin();
                }

                var join = await CallAsync(
                    "/NetworkDriver.Join",
                    $$$"""{"NetworkID":"{{{network.Id}}}","EndpointID":"{{{endpointId}}}","SandboxKey":"/var/run/docker/netns/{{{endpointId[..12]}}}","Options":{"com.docker.network.endpoint.exposedports":[],"com.docker.network.portmap":[]}}""");
                container = container with { Join = join };
                await CallAsync("/NetworkDriver.ProgramExternalConnectivity", $$$"""{"NetworkID":"{{{network.Id}}}","EndpointID":"{{{endpointId}}}","Options":{}}""");
                await CallAsync("/NetworkDriver.EndpointOperInfo", EndpointBody(container));
                return container;
            }
            catch (DockerCallException)
            {
                await TryAsync("/NetworkDriver.DeleteEndpoint", EndpointBody(container));
                throw;
            }
        }
        catch (DockerCallException)
        {
            await ReleaseAddressesAsync(network, address4, address6);
            throw;
        }
    }

    /// <summary><c>docker stop</c>: every step's error is only logged by Docker, so every step runs.</summary>
    public async Task StopContainerAsync(DockerContainer container)
    {
        await TryAsync("/NetworkDriver.RevokeExternalConnectivity", EndpointBody(container));
        await TryAsync("/NetworkDriver.Leave", EndpointBody(container));
        await TryAsync("/NetworkDriver.DeleteEndpoint", EndpointBody(container));
        await ReleaseAddressesAsync(container.Network, container.IPv4, container.IPv6);
    }

    /// <summary><c>docker network rm</c> in the ≥20.10.23 order.</summary>
    public async Task RemoveNetworkAsync(DockerNetwork network)
    {
        foreach (var pool in new[] { network.IPv4, network.IPv6 }.OfType<DockerPoolInfo>())
        {
            await TryAsync("/IpamDriver.ReleaseAddress", $$$"""{"PoolID":"{{{pool.PoolId}}}","Address":"{{{pool.Gateway.Split('/')[0]}}}"}""");
            await TryAsync("/IpamDriver.ReleasePool", $$$"""{"PoolID":"{{{pool.PoolId}}}"}""");
        }

        await TryAsync("/NetworkDriver.DeleteNetwork", $$$"""{"NetworkID":"{{{network.Id}}}"}""");
    }

    private async Task ReleaseAddressesAsync(DockerNetwork network, string address4, string? address6)
    {
        await TryAsync("/IpamDriver.ReleaseAddress", $$$"""{"PoolID":"{{{network.IPv4.PoolId}}}","Address":"{{{address4.Split('/')[0]}}}"}""");
        if (address6 is not null && network.IPv6 is { } pool6)
        {
            await TryAsync("/IpamDriver.ReleaseAddress", $$$"""{"PoolID":"{{{pool6.PoolId}}}","Address":"{{{address6.Split('/')[0]}}}"}""");
        }
    }

    private static string EndpointBody(DockerContainer container) => $$$"""{"NetworkID":"{{{container.Network.Id}}}","EndpointID":"{{{container.EndpointId}}}"}""";

    private async Task<JsonElement> CallAsync(string path, string body)
    {
        var response = await post(path, body + "\n");
        Log.Add((path, response));
        using var json = JsonDocument.Parse(response.Body);
        if (response.Status != 200)
        {
            throw new DockerCallException(path, response.Status, json.RootElement.TryGetProperty("Err", out var err) ? err.GetString() ?? string.Empty : response.Body);
        }

        return json.RootElement.Clone();
    }

    private async Task TryAsync(string path, string body)
    {
        try
        {
            await CallAsync(path, body);
        }
        catch (DockerCallException)
        {
            // Docker logs these and carries on.
        }
    }

    private static string Address(JsonElement response)
    {
        var address = response.GetProperty("Address").GetString();
        return string.IsNullOrEmpty(address) ? throw new DockerCallException("/IpamDriver.RequestAddress", 200, "No address returned") : address;
    }

    private static DockerPoolInfo Pool(JsonElement response) => new(
        response.GetProperty("PoolID").GetString()!,
        response.GetProperty("Pool").GetString()!,
        response.GetProperty("Data").GetProperty("com.docker.network.gateway").GetString()!);

    private static DockerPoolInfo? OptionalPool(JsonElement? response) => response is { } value ? Pool(value) : null;
}

internal sealed record DockerPoolInfo(string PoolId, string Pool, string Gateway);

internal sealed record DockerNetwork(string Id, DockerPoolInfo IPv4, DockerPoolInfo? IPv6);

internal sealed record DockerContainer(DockerNetwork Network, string EndpointId, string IPv4, string? IPv6)
{
    public JsonElement? Join { get; init; }
}

internal sealed class DockerCallException(string call, int status, string message) : Exception($"{call} answered {status}: {message}")
{
    public string Call { get; } = call;

    public int Status { get; } = status;

    public string PluginMessage { get; } = message;
}
