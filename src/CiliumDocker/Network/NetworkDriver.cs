using System.Net;
using System.Text.RegularExpressions;
using CiliumDocker.Cilium;
using CiliumDocker.Datapath;
using CiliumDocker.Docker;
using CiliumDocker.Ipam;
using CiliumDocker.Observability;
using Microsoft.Extensions.Logging;

namespace CiliumDocker.Network;

/// <summary>
/// Docker's <c>NetworkDriver.*</c> calls. Networks live only in Docker (the pool id carries everything IPAM needs);
/// endpoints are a veth pair plus an agent endpoint, and both are gone again after Leave/DeleteEndpoint.
/// </summary>
internal sealed partial class NetworkDriver(
    IAgentConfig agentConfig,
    ICiliumAgent agent,
    IEndpointDatapath datapath,
    AddressLedger ledger,
    EndpointCleanupQueue cleanupQueue,
    SandboxMembership sandboxes,
    PluginMetrics metrics,
    ILogger<NetworkDriver> logger)
{
    /// <summary>Docker names the container's interface after this prefix: cilium0, cilium1, …</summary>
    public const string InterfacePrefix = "cilium";

    public const string VethDatapathMode = "veth";

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
                throw new PluginCallException(
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
        if (ipv4 is null && ipv6 is null)
        {
            throw new PluginCallException(
                "the endpoint has no IPv4 or IPv6 address; create the network with --ipam-driver set to the same plugin as --driver");
        }

        var mac = string.IsNullOrEmpty(requested.MacAddress) ? null : RequireMac(requested.MacAddress);
        var status = await agentConfig.GetRequiredAsync(cancellationToken);
        if (!string.IsNullOrEmpty(status.DatapathMode) && status.DatapathMode != VethDatapathMode)
        {
            throw new PluginCallException(
                $"the Cilium agent at {agent.Endpoint} runs datapath mode \"{status.DatapathMode}\"; cilium-docker only supports \"{VethDatapathMode}\"");
        }

        var offload = new OffloadSizes(status.GroMaxSize, status.GsoMaxSize, status.GroIPv4MaxSize, status.GsoIPv4MaxSize);
        var veth = await datapath.CreateAsync(new VethRequest(endpointId, mac, status.DeviceMtu, offload), cancellationToken);
        var change = new EndpointChangeRequest
        {
            SyncBuildEndpoint = true,
            DockerEndpointId = endpointId,
            DockerNetworkId = networkId,
            Addressing = Addressing(ipv4, ipv6),
            InterfaceName = veth.HostName,
            InterfaceIndex = veth.HostIndex,
            Mac = veth.ContainerMac,
            HostMac = veth.HostMac,
        };

        IPAddress[] addresses = [.. new[] { ipv4, ipv6 }.OfType<IPAddress>()];
        try
        {
            await RegisterAsync(endpointId, change, addresses, cancellationToken);
        }
        catch (Exception ex)
        {
            await UndoCreateAsync(endpointId, addresses, outcomeUnknown: ex is OperationCanceledException or CiliumAgentException { AgentMayHaveActed: true });
            throw;
        }

        foreach (var address in addresses)
        {
            ledger.Claim(address, endpointId);
        }

        metrics.RecordEndpointCreated();
        LogEndpointCreated(logger, endpointId, veth.HostName, ipv4, ipv6);

        // Docker refuses a driver that changes a field it filled; it only accepts filling an empty one.
        return new CreateEndpointResponse { Interface = mac is null ? new EndpointInterfaceResponse { MacAddress = veth.ContainerMac } : null };
    }

    public async Task<JoinResponse> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpointId = DockerIds.RequireEndpointId(request.EndpointId);
        var status = await agentConfig.GetRequiredAsync(cancellationToken);
        var endpoint = await agent.GetEndpointAsync(EndpointIds.DockerEndpoint(endpointId), cancellationToken)
            ?? throw new PluginCallException(
                $"endpoint {endpointId} is not registered at the Cilium agent ({agent.Endpoint}), which may have restarted without it; start the container again");

        var (hasIPv4, hasIPv6) = FamiliesOf(endpoint, status);
        var routes = new List<StaticRoute>();
        var ipv4 = hasIPv4 ? NodeAddresses.Require(status, IpFamily.IPv4, agent.Endpoint) : null;
        var ipv6 = hasIPv6 ? NodeAddresses.Require(status, IpFamily.IPv6, agent.Endpoint) : null;
        foreach (var family in new[] { ipv4, ipv6 }.OfType<FamilyAddressing>())
        {
            // The router is on-link through this interface; the node's range is reached through it even when
            // another network provides the container's default route.
            routes.Add(new StaticRoute { Destination = IpPrefixes.HostPrefix(family.Router), RouteType = StaticRoute.Connected });
            if (family.AllocRange is { } range)
            {
                routes.Add(new StaticRoute { Destination = range.ToString(), RouteType = StaticRoute.NextHop, NextHopAddress = family.Router.ToString() });
            }
        }

        if (request.SandboxKey is { Length: > 0 } sandboxKey && sandboxes.TryJoin(endpointId, sandboxKey) is { } other)
        {
            throw new PluginCallException(
                $"the container is already on a Cilium network (endpoint {other}), and a container can have only one Cilium interface: "
                + "the first one already routes the agent's whole range, so Docker could not add the second one's address; "
                + "use one Cilium network per container, or disconnect the other one first");
        }

        LogJoined(logger, endpointId, request.SandboxKey ?? string.Empty);

        // A Gateway (no static default route) lets Docker choose one default route among the container's networks,
        // so the container can also be on other networks; DisableGatewayService keeps docker_gwbridge away.
        return new JoinResponse
        {
            InterfaceName = new InterfaceName { SrcName = VethNames.Container(endpointId), DstPrefix = InterfacePrefix },
            Gateway = ipv4?.Router.ToString(),
            GatewayIPv6 = ipv6?.Router.ToString(),
            StaticRoutes = routes,
            DisableGatewayService = true,
        };
    }

    public async Task<EmptyResponse> LeaveAsync(EndpointRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpointId = DockerIds.RequireEndpointId(request.EndpointId);
        sandboxes.Leave(endpointId);
        await DeleteAgentEndpointAsync(endpointId, cancellationToken);
        LogLeft(logger, endpointId);
        return EmptyResponse.Instance;
    }

    /// <summary>Also deletes the agent endpoint: Docker skips Leave when a start fails between CreateEndpoint and Join.</summary>
    public async Task<EmptyResponse> DeleteEndpointAsync(EndpointRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpointId = DockerIds.RequireEndpointId(request.EndpointId);
        sandboxes.Leave(endpointId);
        await DeleteAgentEndpointAsync(endpointId, cancellationToken);
        await datapath.DeleteAsync(endpointId, cancellationToken);
        metrics.RecordEndpointDeleted();
        LogEndpointDeleted(logger, endpointId);
        return EmptyResponse.Instance;
    }

    public static EndpointOperInfoResponse EndpointOperInfo(EndpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = DockerIds.RequireEndpointId(request.EndpointId);
        return new EndpointOperInfoResponse { Value = [] };
    }

    /// <summary>Program/RevokeExternalConnectivity: port publishing is not translated, so there is nothing to do.</summary>
    public static EmptyResponse ExternalConnectivity(EndpointRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = DockerIds.RequireEndpointId(request.EndpointId);
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
        throw new PluginCallException("cilium-docker is a local-scope driver and does not support swarm networks (AllocateNetwork)");
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
            throw new PluginCallException($"Interface.{field} \"{text}\" is not an {IpPrefixes.FamilyName(family)} address");
        }

        return address;
    }

    private static string RequireMac(string mac)
        => MacPattern().IsMatch(mac)
            ? mac.ToLowerInvariant()
            : throw new PluginCallException($"Interface.MacAddress \"{mac}\" is not a MAC address like 02:42:0a:0b:00:05");

    /// <summary>
    /// Always bare IPs: the agent parses them with ParseIP before it stops an address's expiration timer, and only
    /// a matching UUID stops it. Without that, the agent frees a running container's address after 10 minutes.
    /// </summary>
    private AddressPair Addressing(IPAddress? ipv4, IPAddress? ipv6) => new()
    {
        IPv4 = ipv4?.ToString(),
        IPv4ExpirationUuid = ipv4 is null ? null : ledger.ExpirationUuidOf(ipv4),
        IPv6 = ipv6?.ToString(),
        IPv6ExpirationUuid = ipv6 is null ? null : ledger.ExpirationUuidOf(ipv6),
    };

    private async Task RegisterAsync(string endpointId, EndpointChangeRequest change, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        try
        {
            await agent.CreateEndpointAsync(change, cancellationToken);
            return;
        }
        catch (CiliumAgentException ex) when (ex.Refused)
        {
            // The agent does not check docker-endpoint-id for duplicates: a repeated CreateEndpoint (Docker's first
            // answer got lost) is refused because the first registration holds the addresses.
            if (await agent.GetEndpointAsync(EndpointIds.DockerEndpoint(endpointId), cancellationToken) is null)
            {
                throw;
            }

            // Replace the registration so that it describes the interface just created. Deleting it releases its
            // addresses at the agent, so they are taken back by IP below.
            LogReregistering(logger, endpointId);
            await agent.DeleteEndpointAsync(EndpointIds.DockerEndpoint(endpointId), cancellationToken);
        }
        catch (CiliumAgentException ex) when (ex.ExpirationTimerLost)
        {
            LogExpirationTimerLost(logger, endpointId, ex.Message);
        }

        await ReserveAgainAsync(addresses, cancellationToken);
        var withoutTimers = new AddressPair { IPv4 = change.Addressing?.IPv4, IPv6 = change.Addressing?.IPv6 };
        await agent.CreateEndpointAsync(change with { Addressing = withoutTimers }, cancellationToken);
    }

    /// <summary>The addresses are no longer held at the agent: reserve them by IP, without a timer. Another
    /// container may have been given one meanwhile; then this one cannot have it.</summary>
    private async Task ReserveAgainAsync(IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken)
    {
        foreach (var address in addresses)
        {
            try
            {
                await agent.AllocateAsync(address.ToString(), IpamNames.Owner, AgentPaths.DefaultPool, cancellationToken);
            }
            catch (CiliumAgentException ex) when (ex.IsVerdict)
            {
                throw new PluginCallException(
                    $"{address} is no longer held for this container at the Cilium agent and cannot be taken back ({ex.Message}); start the container again");
            }

            ledger.RecordAllocated(address, uuid: null, pool: null);
        }
    }

    /// <summary>A failed CreateEndpoint leaves nothing: the veth goes, and so does an agent endpoint that may have
    /// been created by a request whose answer never arrived (the agent releases its addresses with it).</summary>
    private async Task UndoCreateAsync(string endpointId, IReadOnlyList<IPAddress> addresses, bool outcomeUnknown)
    {
        if (outcomeUnknown && await DeleteAgentEndpointAsync(endpointId, CancellationToken.None))
        {
            foreach (var address in addresses)
            {
                ledger.ClaimReleasedWithEndpoint(address, endpointId);
            }
        }

        try
        {
            await datapath.DeleteAsync(endpointId, CancellationToken.None);
        }
        catch (DatapathException ex)
        {
            LogUndoFailed(logger, ex, endpointId);
        }
    }

    /// <summary>True when the agent confirmed it deleted the endpoint; false when it had none or the deletion is
    /// owed. Either way the endpoint's addresses go back to the agent with it, not through Docker's release.</summary>
    private async Task<bool> DeleteAgentEndpointAsync(string endpointId, CancellationToken cancellationToken)
    {
        ledger.EndpointGone(endpointId);
        var deleted = false;
        (OwedWorkOutcome Outcome, CiliumAgentException? Failure) deletion;
        try
        {
            deletion = await OwedWork.TryAsync(async () => deleted = await agent.DeleteEndpointAsync(EndpointIds.DockerEndpoint(endpointId), cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cleanupQueue.Add(endpointId);
            throw;
        }

        switch (deletion.Outcome)
        {
            case OwedWorkOutcome.StillOwed:
                cleanupQueue.Add(endpointId);
                LogDeletionDeferred(logger, endpointId, deletion.Failure!.Message);
                return false;
            case OwedWorkOutcome.Refused:
                throw deletion.Failure!;
            default:
                cleanupQueue.Remove(endpointId);
                return deleted;
        }
    }

    /// <summary>The families the agent endpoint has addresses in; the agent's enabled families when it does not say.</summary>
    private static (bool IPv4, bool IPv6) FamiliesOf(CiliumEndpoint endpoint, DaemonConfigurationStatus status)
    {
        var addressing = endpoint.Status?.Networking?.Addressing;
        if (addressing is { Count: > 0 })
        {
            return (addressing.Any(pair => !string.IsNullOrEmpty(pair.IPv4)), addressing.Any(pair => !string.IsNullOrEmpty(pair.IPv6)));
        }

        return (NodeAddresses.Find(status, IpFamily.IPv4) is not null, NodeAddresses.Find(status, IpFamily.IPv6) is not null);
    }

    [GeneratedRegex("^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "network {NetworkId} created (pools: {Pools})")]
    private static partial void LogNetworkCreated(ILogger logger, string networkId, IEnumerable<string?> pools);

    [LoggerMessage(Level = LogLevel.Information, Message = "network {NetworkId} deleted")]
    private static partial void LogNetworkDeleted(ILogger logger, string networkId);

    [LoggerMessage(Level = LogLevel.Information, Message = "endpoint {EndpointId} created on {HostInterface} with IPv4 {IPv4}, IPv6 {IPv6}")]
    private static partial void LogEndpointCreated(ILogger logger, string endpointId, string hostInterface, IPAddress? ipv4, IPAddress? ipv6);

    [LoggerMessage(Level = LogLevel.Warning, Message = "endpoint {EndpointId} is already registered at the agent (Docker repeated CreateEndpoint); registering it again")]
    private static partial void LogReregistering(ILogger logger, string endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the Cilium agent no longer times the addresses of {EndpointId} (it restarted, or the timer ran out); reserving them by IP and registering again: {Reason}")]
    private static partial void LogExpirationTimerLost(ILogger logger, string endpointId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "endpoint {EndpointId} joined sandbox {SandboxKey}")]
    private static partial void LogJoined(ILogger logger, string endpointId, string sandboxKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "endpoint {EndpointId} left its sandbox")]
    private static partial void LogLeft(ILogger logger, string endpointId);

    [LoggerMessage(Level = LogLevel.Information, Message = "endpoint {EndpointId} deleted")]
    private static partial void LogEndpointDeleted(ILogger logger, string endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "deleting agent endpoint of {EndpointId} deferred, it will be retried in the background: {Reason}")]
    private static partial void LogDeletionDeferred(ILogger logger, string endpointId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "could not remove the interface of failed endpoint {EndpointId}")]
    private static partial void LogUndoFailed(ILogger logger, Exception exception, string endpointId);
}
