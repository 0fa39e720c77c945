using System.Net;
using System.Text.RegularExpressions;
using CiliumDocker.Addresses;
using CiliumDocker.Agent;
using CiliumDocker.Endpoints;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Protocol;

/// <summary>
/// Docker's <c>NetworkDriver.*</c> calls, checked and translated for <see cref="EndpointLifecycle"/>. Networks live
/// only in Docker (the pool id carries everything IPAM needs), so the network calls check and log, and hold nothing.
/// </summary>
internal sealed partial class NetworkDriver(EndpointLifecycle endpoints, ILogger<NetworkDriver> logger)
{
    /// <summary>Docker names the container's interface after this prefix: cilium0, cilium1, …</summary>
    public const string InterfacePrefix = "cilium";

    public static NetworkCapabilitiesResponse GetCapabilities() => new() { Scope = "local", ConnectivityScope = "local" };

    public EmptyResponse CreateNetwork(CreateNetworkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var networkId = DockerIds.RequireNetworkId(request.NetworkId);
        var pools = (request.IPv4Data ?? []).Concat(request.IPv6Data ?? []).ToList();
        var poolNames = pools.Select(data => data.Pool);
        foreach (var data in pools)
        {
            if (data.AddressSpace is not (IpamNames.LocalAddressSpace or IpamNames.GlobalAddressSpace))
            {
                throw new RequestRefusedException(
                    $"the cilium network driver needs the cilium IPAM driver, but pool {data.Pool} comes from address space \"{data.AddressSpace}\"; "
                    + "create the network with --ipam-driver set to the same plugin as --driver");
            }
        }

        LogNetworkCreated(logger, networkId, poolNames);
        return EmptyResponse.Instance;
    }

    public EmptyResponse DeleteNetwork(NetworkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var networkId = DockerIds.RequireNetworkId(request.NetworkId);
        LogNetworkDeleted(logger, networkId);
        return EmptyResponse.Instance;
    }

    public async Task<CreateEndpointResponse> CreateEndpointAsync(CreateEndpointRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpointId = DockerIds.RequireEndpointId(request.EndpointId);
        var networkId = DockerIds.RequireNetworkId(request.NetworkId);
        var requested = request.Interface ?? new EndpointInterface();
        var ipv4 = ParseInterfaceAddress(requested.Address, IpFamily.IPv4, "Address");
        var ipv6 = ParseInterfaceAddress(requested.AddressIPv6, IpFamily.IPv6, "AddressIPv6");
        var mac = string.IsNullOrEmpty(requested.MacAddress) ? null : RequireMac(requested.MacAddress);
        var chosenMac = await endpoints.CreateAsync(endpointId, networkId, ipv4, ipv6, mac, cancellationToken);

        // Docker refuses a driver that changes a field it filled; it only accepts filling an empty one.
        return new CreateEndpointResponse { Interface = chosenMac is null ? null : new EndpointInterfaceResponse { MacAddress = chosenMac } };
    }

    public async Task<JoinResponse> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpointId = DockerIds.RequireEndpointId(request.EndpointId);
        var plan = await endpoints.JoinAsync(endpointId, request.SandboxKey, cancellationToken);

        // A Gateway (no static default route) lets Docker choose one default route among the container's networks,
        // so the container can also be on other networks; DisableGatewayService keeps docker_gwbridge away.
        return new JoinResponse
        {
            InterfaceName = new InterfaceName { SrcName = plan.ContainerInterface, DstPrefix = InterfacePrefix },
            Gateway = plan.GatewayIPv4?.ToString(),
            GatewayIPv6 = plan.GatewayIPv6?.ToString(),
            StaticRoutes = [.. plan.Routes.Select(static route => route.NextHop is { } nextHop
                ? new StaticRoute { Destination = route.Destination, RouteType = StaticRoute.NextHop, NextHopAddress = nextHop.ToString() }
                : new StaticRoute { Destination = route.Destination, RouteType = StaticRoute.Connected })],
            DisableGatewayService = true,
        };
    }

    public async Task<EmptyResponse> LeaveAsync(EndpointRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await endpoints.LeaveAsync(DockerIds.RequireEndpointId(request.EndpointId), cancellationToken);
        return EmptyResponse.Instance;
    }

    public async Task<EmptyResponse> DeleteEndpointAsync(EndpointRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await endpoints.DeleteAsync(DockerIds.RequireEndpointId(request.EndpointId), cancellationToken);
        return EmptyResponse.Instance;
    }

    public static EndpointOperInfoResponse EndpointOperInfo(EndpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = DockerIds.RequireEndpointId(request.EndpointId);
        return new EndpointOperInfoResponse { Value = [] };
    }

    /// <summary>Publishes the container's <c>-p</c> ports, which Docker hands over as the sandbox's port map.</summary>
    public async Task<EmptyResponse> ProgramExternalConnectivityAsync(EndpointRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpointId = DockerIds.RequireEndpointId(request.EndpointId);
        await endpoints.PublishPortsAsync(endpointId, PortMapOption.Read(request.Options), cancellationToken);
        return EmptyResponse.Instance;
    }

    public async Task<EmptyResponse> RevokeExternalConnectivityAsync(EndpointRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await endpoints.UnpublishPortsAsync(DockerIds.RequireEndpointId(request.EndpointId), cancellationToken);
        return EmptyResponse.Instance;
    }

    /// <summary>Node discovery only reaches global-scope drivers; Cilium connects nodes itself.</summary>
    public static EmptyResponse Discover(DiscoveryRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return EmptyResponse.Instance;
    }

    /// <summary>Swarm managers call this for global-scope drivers only; answering it would pretend swarm support.</summary>
    public static EmptyResponse AllocateNetwork(NetworkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        throw new RequestRefusedException("cilium-docker is a local-scope driver and does not support swarm networks (AllocateNetwork)");
    }

    public static EmptyResponse FreeNetwork(NetworkRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return EmptyResponse.Instance;
    }

    private static IPAddress? ParseInterfaceAddress(string? text, IpFamily family, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!IpPrefixes.TryParseHost(text, out var address) || IpPrefixes.FamilyOf(address) != family)
        {
            throw new RequestRefusedException($"Interface.{field} \"{text}\" is not an {IpPrefixes.FamilyName(family)} address");
        }

        return address;
    }

    private static string RequireMac(string mac)
        => MacPattern().IsMatch(mac)
            ? mac.ToLowerInvariant()
            : throw new RequestRefusedException($"Interface.MacAddress \"{mac}\" is not a MAC address like 02:42:0a:0b:00:05");

    [GeneratedRegex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "network {NetworkId} created (pools: {Pools})")]
    private static partial void LogNetworkCreated(ILogger logger, string networkId, IEnumerable<string?> pools);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "network {NetworkId} deleted")]
    private static partial void LogNetworkDeleted(ILogger logger, string networkId);
}
