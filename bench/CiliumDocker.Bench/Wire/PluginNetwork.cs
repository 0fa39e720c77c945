using System.Diagnostics;
using System.Text.Json;

namespace CiliumDocker.Bench.Wire;

/// <summary>
/// A network set up through the plugin the way <c>docker network create --driver X --ipam-driver X</c> does
/// (registration calls, RequestPool, gateway, CreateNetwork) and removed as 20.10.24's <c>docker network rm</c> does.
/// </summary>
internal sealed class PluginNetwork
{
    private const string GatewayKey = "com.docker.network.gateway";

    private PluginNetwork(string networkId, string poolId, string? requestedGateway)
    {
        NetworkId = networkId;
        PoolId = poolId;
        RequestedGateway = requestedGateway;
    }

    public string NetworkId { get; }

    public string PoolId { get; }

    /// <summary>The gateway IP if it came from RequestAddress (Docker releases it on network rm), else null.</summary>
    private string? RequestedGateway { get; }

    /// <summary>
    /// Creates the network. The plugin fetches the agent's configuration in the background after it starts
    /// listening, so RequestPool is retried until it succeeds or <paramref name="timeout"/> passes.
    /// </summary>
    public static PluginNetwork Create(PluginConnection connection, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Call(connection, "/NetworkDriver.GetCapabilities", null);
        Call(connection, "/IpamDriver.GetCapabilities", null);
        var spaces = Call(connection, "/IpamDriver.GetDefaultAddressSpaces", null);
        var addressSpace = Property(spaces, "LocalDefaultAddressSpace");

        var pool = RequestPoolWithin(connection, addressSpace, timeout);
        var poolId = Property(pool, "PoolID");
        var poolCidr = Property(pool, "Pool");
        string gatewayCidr;
        string? requestedGateway = null;
        if (DataGateway(pool) is { } dataGateway)
        {
            gatewayCidr = dataGateway;
        }
        else
        {
            gatewayCidr = Property(Call(connection, "/IpamDriver.RequestAddress", DockerRequests.RequestGatewayAddress(poolId)), "Address");
            requestedGateway = BareIp(gatewayCidr);
        }

        var networkId = DockerRequests.NewId();
        Call(connection, "/NetworkDriver.CreateNetwork", DockerRequests.CreateNetwork(networkId, addressSpace, gatewayCidr, poolCidr));
        return new PluginNetwork(networkId, poolId, requestedGateway);
    }

    /// <summary>20.10.23+ order: release the gateway, the pool, then DeleteNetwork.</summary>
    public void Delete(PluginConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (RequestedGateway is not null)
        {
            Call(connection, "/IpamDriver.ReleaseAddress", DockerRequests.ReleaseAddress(PoolId, RequestedGateway));
        }

        Call(connection, "/IpamDriver.ReleasePool", DockerRequests.ReleasePool(PoolId));
        Call(connection, "/NetworkDriver.DeleteNetwork", DockerRequests.NetworkOnly(NetworkId));
    }

    public static string BareIp(string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        return slash >= 0 ? cidr[..slash] : cidr;
    }

    /// <summary>One call that must succeed; its body as a JSON document root.</summary>
    public static JsonElement Call(PluginConnection connection, string path, string? json)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var response = connection.Post(path, json);
        if (!response.Succeeded)
        {
            throw new PluginCallFailedException(path, response);
        }

        using var document = JsonDocument.Parse(response.Body);
        return document.RootElement.Clone();
    }

    public static string Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } text
            ? text
            : throw new InvalidOperationException($"the plugin's answer has no '{name}': {element.GetRawText()}");

    private static JsonElement RequestPoolWithin(PluginConnection connection, string addressSpace, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return Call(connection, "/IpamDriver.RequestPool", DockerRequests.RequestPool(addressSpace));
            }
            catch (PluginCallFailedException) when (clock.Elapsed < timeout)
            {
                Thread.Sleep(50);
            }
        }
    }

    private static string? DataGateway(JsonElement pool) =>
        pool.TryGetProperty("Data", out var data) && data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty(GatewayKey, out var gateway) && gateway.GetString() is { Length: > 0 } text
            ? text
            : null;
}
