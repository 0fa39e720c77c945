using System.Collections.Concurrent;
using System.Net;
using CiliumDocker.Addresses;
using CiliumDocker.Agent;
using CiliumDocker.Cleanup;
using CiliumDocker.Datapath;
using CiliumDocker.Infrastructure;
using CiliumDocker.Observability;
using CiliumDocker.Ports;

namespace CiliumDocker.Endpoints;

/// <summary>
/// A container's endpoint on a Cilium network: a veth pair plus an agent endpoint created at CreateEndpoint, the
/// sandbox's interface and routes at Join, and both gone again after Leave/DeleteEndpoint.
/// </summary>
internal sealed partial class EndpointLifecycle(
    IAgentConfig agentConfig,
    IAgentEndpoints agent,
    IAgentAddresses agentAddresses,
    IEndpointDatapath datapath,
    AddressLedger ledger,
    EndpointCleanupQueue cleanupQueue,
    SandboxMembership sandboxes,
    PortPublisher ports,
    PluginMetrics metrics,
    ILogger<EndpointLifecycle> logger)
{
    public const string VethDatapathMode = "veth";

    /// <summary>What this process registered at the agent itself, so Join and DeleteEndpoint need not ask the agent
    /// what it already knows. Kept in memory only: after a restart every endpoint is unknown and the agent is asked.</summary>
    private readonly ConcurrentDictionary<string, KnownEndpoint> _known = new(StringComparer.Ordinal);

    /// <summary>Creates the endpoint with its IPAM addresses (at least one); returns the container MAC it chose
    /// when <paramref name="mac"/> is null.</summary>
    public async Task<string?> CreateAsync(string endpointId, string networkId, IPAddress? ipv4, IPAddress? ipv6, string? mac, CancellationToken cancellationToken)
    {
        if (ipv4 is null && ipv6 is null)
        {
            throw new RequestRefusedException(
                "the endpoint has no IPv4 or IPv6 address; create the network with --ipam-driver set to the same plugin as --driver");
        }

        var status = await agentConfig.GetRequiredAsync(cancellationToken);
        if (!string.IsNullOrEmpty(status.DatapathMode) && status.DatapathMode != VethDatapathMode)
        {
            throw new RequestRefusedException(
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

        _known[endpointId] = new KnownEndpoint(veth.HostName, ipv4, ipv6, AgentDeleted: false);
        metrics.RecordEndpointCreated();
        LogEndpointCreated(logger, endpointId, veth.HostName, ipv4, ipv6);

        return mac is null ? veth.ContainerMac : null;
    }

    /// <summary>What Docker configures in the sandbox: the interface to move and name, gateways and routes.</summary>
    public async Task<JoinPlan> JoinAsync(string endpointId, string? sandboxKey, CancellationToken cancellationToken)
    {
        var status = await agentConfig.GetRequiredAsync(cancellationToken);
        var (hasIPv4, hasIPv6) = _known.TryGetValue(endpointId, out var known) && !known.AgentDeleted
            ? (known.IPv4 is not null, known.IPv6 is not null)
            : FamiliesOf(await RegisteredEndpointAsync(endpointId, cancellationToken), status);
        var routes = new List<JoinRoute>();
        var ipv4 = hasIPv4 ? NodeAddresses.Require(status, IpFamily.IPv4, agent.Endpoint) : null;
        var ipv6 = hasIPv6 ? NodeAddresses.Require(status, IpFamily.IPv6, agent.Endpoint) : null;
        foreach (var family in new[] { ipv4, ipv6 }.OfType<FamilyAddressing>())
        {
            // The router is on-link through this interface; the node's range is reached through it even when
            // another network provides the container's default route.
            routes.Add(new JoinRoute(IpPrefixes.HostPrefix(family.Router), NextHop: null));
            if (family.AllocRange is { } range)
            {
                routes.Add(new JoinRoute(range.ToString(), family.Router));
            }
        }

        if (sandboxKey is { Length: > 0 } && sandboxes.TryJoin(endpointId, sandboxKey) is { } other)
        {
            throw new RequestRefusedException(
                $"the container is already on a Cilium network (endpoint {other}), and a container can have only one Cilium interface: "
                + "the first one already routes the agent's whole range, so Docker could not add the second one's address; "
                + "use one Cilium network per container, or disconnect the other one first");
        }

        LogJoined(logger, endpointId, sandboxKey ?? string.Empty);
        return new JoinPlan(VethNames.Container(endpointId), ipv4?.Router, ipv6?.Router, routes);
    }

    /// <summary>Publishes the container's <c>-p</c> ports to its addresses: those this process registered, or, for an
    /// endpoint of an earlier process, the agent's.</summary>
    public Task PublishPortsAsync(string endpointId, IReadOnlyList<PortMapping> mappings, CancellationToken cancellationToken)
        => ports.PublishAsync(endpointId, mappings, token => BackendsAsync(endpointId, token), cancellationToken);

    /// <summary>Docker 29 may never send the revoke (the gateway did not move, or the plugin restarted): Leave and
    /// DeleteEndpoint unpublish too.</summary>
    public Task UnpublishPortsAsync(string endpointId, CancellationToken cancellationToken)
        => ports.UnpublishAsync(endpointId, cancellationToken);

    public async Task LeaveAsync(string endpointId, CancellationToken cancellationToken)
    {
        sandboxes.Leave(endpointId);
        await ports.UnpublishAsync(endpointId, cancellationToken);
        if (await DeleteAgentEndpointAsync(endpointId, cancellationToken) is not DeletionOutcome.Owed && _known.TryGetValue(endpointId, out var known))
        {
            _known[endpointId] = known with { AgentDeleted = true };
        }

        LogLeft(logger, endpointId);
    }

    /// <summary>Also deletes the agent endpoint unless this process saw Leave delete it: Docker skips Leave when a
    /// start fails between CreateEndpoint and Join, and a deletion Leave could not finish is still owed.</summary>
    public async Task DeleteAsync(string endpointId, CancellationToken cancellationToken)
    {
        sandboxes.Leave(endpointId);
        await ports.UnpublishAsync(endpointId, cancellationToken);
        if (!(_known.TryGetValue(endpointId, out var known) && known.AgentDeleted))
        {
            await DeleteAgentEndpointAsync(endpointId, cancellationToken);
        }

        _known.TryRemove(endpointId, out known);
        await datapath.DeleteAsync(endpointId, cancellationToken);
        metrics.RecordEndpointDeleted();
        var hostInterface = known?.HostInterface ?? VethNames.Host(endpointId);
        LogEndpointDeleted(logger, endpointId, hostInterface, known?.IPv4, known?.IPv6);
    }

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
                await agentAddresses.AllocateAsync(address.ToString(), IpamNames.Owner, AgentPaths.DefaultPool, cancellationToken);
            }
            catch (CiliumAgentException ex) when (ex.IsVerdict)
            {
                throw new RequestRefusedException(
                    $"{address} is no longer held for this container at the Cilium agent and cannot be taken back ({ex.Message}); start the container again");
            }

            ledger.RecordAllocated(address, uuid: null, pool: null);
        }
    }

    /// <summary>A failed CreateEndpoint leaves nothing: the veth goes, and so does an agent endpoint that may have
    /// been created by a request whose answer never arrived (the agent releases its addresses with it).</summary>
    private async Task UndoCreateAsync(string endpointId, IReadOnlyList<IPAddress> addresses, bool outcomeUnknown)
    {
        if (outcomeUnknown && await DeleteAgentEndpointAsync(endpointId, CancellationToken.None) is DeletionOutcome.Deleted)
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

    private async Task<IReadOnlyList<IPAddress>> BackendsAsync(string endpointId, CancellationToken cancellationToken)
        => _known.TryGetValue(endpointId, out var known) && !known.AgentDeleted
            ? [.. new[] { known.IPv4, known.IPv6 }.OfType<IPAddress>()]
            : AddressesOf(await RegisteredEndpointAsync(endpointId, cancellationToken));

    private async Task<CiliumEndpoint> RegisteredEndpointAsync(string endpointId, CancellationToken cancellationToken)
        => await agent.GetEndpointAsync(EndpointIds.DockerEndpoint(endpointId), cancellationToken)
            ?? throw new RequestRefusedException(
                $"endpoint {endpointId} is not registered at the Cilium agent ({agent.Endpoint}), which may have restarted without it; start the container again");

    /// <summary>Whichever the outcome, the endpoint's addresses go back to the agent with it, not through Docker's release.</summary>
    private async Task<DeletionOutcome> DeleteAgentEndpointAsync(string endpointId, CancellationToken cancellationToken)
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
                return DeletionOutcome.Owed;
            case OwedWorkOutcome.Refused:
                throw deletion.Failure!;
            default:
                cleanupQueue.Remove(endpointId);
                return deleted ? DeletionOutcome.Deleted : DeletionOutcome.NotThere;
        }
    }

    /// <summary>The families the agent endpoint has addresses in; the agent's enabled families when it does not say.</summary>
    private static (bool IPv4, bool IPv6) FamiliesOf(CiliumEndpoint endpoint, DaemonConfigurationStatus status)
    {
        var addresses = AddressesOf(endpoint);
        if (addresses.Count > 0)
        {
            return (addresses.Any(address => IpPrefixes.FamilyOf(address) == IpFamily.IPv4), addresses.Any(address => IpPrefixes.FamilyOf(address) == IpFamily.IPv6));
        }

        return (NodeAddresses.Find(status, IpFamily.IPv4) is not null, NodeAddresses.Find(status, IpFamily.IPv6) is not null);
    }

    /// <summary>The agent endpoint's addresses, bare or in prefix form as the agent stores them.</summary>
    private static List<IPAddress> AddressesOf(CiliumEndpoint endpoint) =>
        [.. (endpoint.Status?.Networking?.Addressing ?? [])
            .SelectMany(pair => new[] { pair.IPv4, pair.IPv6 })
            .Select(text => IpPrefixes.TryParseHost(text, out var address) ? address : null)
            .OfType<IPAddress>()];

    private enum DeletionOutcome
    {
        /// <summary>The agent confirmed it deleted the endpoint.</summary>
        Deleted,

        /// <summary>The agent had no such endpoint.</summary>
        NotThere,

        /// <summary>The deletion is queued for the background janitor.</summary>
        Owed,
    }

    private sealed record KnownEndpoint(string HostInterface, IPAddress? IPv4, IPAddress? IPv6, bool AgentDeleted);

    // The one line per container start at Information; the other steps of a lifecycle log at Debug.
    [LoggerMessage(EventId = 204, Level = LogLevel.Information, Message = "endpoint {EndpointId} created on {HostInterface} with IPv4 {IPv4}, IPv6 {IPv6}")]
    private static partial void LogEndpointCreated(ILogger logger, string endpointId, string hostInterface, IPAddress? ipv4, IPAddress? ipv6);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "endpoint {EndpointId} is already registered at the agent (Docker repeated CreateEndpoint); registering it again")]
    private static partial void LogReregistering(ILogger logger, string endpointId);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "the Cilium agent no longer times the addresses of {EndpointId} (it restarted, or the timer ran out); reserving them by IP and registering again: {Reason}")]
    private static partial void LogExpirationTimerLost(ILogger logger, string endpointId, string reason);

    [LoggerMessage(EventId = 207, Level = LogLevel.Debug, Message = "endpoint {EndpointId} joined sandbox {SandboxKey}")]
    private static partial void LogJoined(ILogger logger, string endpointId, string sandboxKey);

    [LoggerMessage(EventId = 208, Level = LogLevel.Debug, Message = "endpoint {EndpointId} left its sandbox")]
    private static partial void LogLeft(ILogger logger, string endpointId);

    // The one line per container stop; the addresses are unknown (null) for an endpoint created before a restart.
    [LoggerMessage(EventId = 209, Level = LogLevel.Information, Message = "endpoint {EndpointId} deleted from {HostInterface} with IPv4 {IPv4}, IPv6 {IPv6}")]
    private static partial void LogEndpointDeleted(ILogger logger, string endpointId, string hostInterface, IPAddress? ipv4, IPAddress? ipv6);

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning, Message = "deleting agent endpoint of {EndpointId} deferred, it will be retried in the background: {Reason}")]
    private static partial void LogDeletionDeferred(ILogger logger, string endpointId, string reason);

    [LoggerMessage(EventId = 211, Level = LogLevel.Error, Message = "could not remove the interface of failed endpoint {EndpointId}")]
    private static partial void LogUndoFailed(ILogger logger, Exception exception, string endpointId);
}

/// <summary>What Join hands Docker: <paramref name="ContainerInterface"/> to move into the sandbox, the gateways
/// (the node's router per family), and routes that reach the router on-link and the node's range through it.</summary>
internal sealed record JoinPlan(string ContainerInterface, IPAddress? GatewayIPv4, IPAddress? GatewayIPv6, IReadOnlyList<JoinRoute> Routes);

/// <summary>A sandbox route: on-link when <paramref name="NextHop"/> is null.</summary>
internal sealed record JoinRoute(string Destination, IPAddress? NextHop);
