using System.Net;
using CiliumDocker.Cilium;
using CiliumDocker.Docker;
using CiliumDocker.Observability;
using Microsoft.Extensions.Logging;

namespace CiliumDocker.Ipam;

/// <summary>
/// Docker's <c>IpamDriver.*</c> calls. Addresses are /32 and /128 so that all of a container's traffic goes
/// through the node's Cilium router; the router is also every network's gateway and is never allocated.
/// </summary>
internal sealed partial class IpamDriver(
    IAgentConfig agentConfig,
    ICiliumAgent agent,
    AddressLedger ledger,
    SubnetCursor subnetCursor,
    PluginMetrics metrics,
    ILogger<IpamDriver> logger)
{
    /// <summary>Candidates tried per request in a user subnet before giving up: each refused one is an agent call.</summary>
    public const int SubnetProbeLimit = 64;

    public static IpamCapabilitiesResponse GetCapabilities() => new() { RequiresMacAddress = false, RequiresRequestReplay = false };

    public static AddressSpacesResponse GetDefaultAddressSpaces() => new()
    {
        LocalDefaultAddressSpace = IpamNames.LocalAddressSpace,
        GlobalDefaultAddressSpace = IpamNames.GlobalAddressSpace,
    };

    public async Task<RequestPoolResponse> RequestPoolAsync(RequestPoolRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var family = request.V6 ? IpFamily.IPv6 : IpFamily.IPv4;
        var node = NodeAddresses.Require(await agentConfig.GetRequiredAsync(cancellationToken), family, agent.Endpoint);
        var pool = string.IsNullOrEmpty(request.Pool)
            ? DefaultPool(node, request.SubPool)
            : UserPool(node, request.Pool, request.SubPool);

        // 0.0.0.0/0 makes Docker skip its host-route overlap loop, which would otherwise ask forever.
        var poolText = pool.Subnet?.ToString() ?? (family == IpFamily.IPv4 ? "0.0.0.0/0" : node.AllocRange!.Value.ToString());
        LogPool(logger, pool, poolText, node.Router);
        return new RequestPoolResponse
        {
            PoolId = pool.ToString(),
            Pool = poolText,
            Data = new Dictionary<string, string>(StringComparer.Ordinal) { [IpamNames.GatewayDataKey] = IpPrefixes.HostPrefix(node.Router) },
        };
    }

    public static EmptyResponse ReleasePool(ReleasePoolRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _ = PoolId.Parse(request.PoolId);
        return EmptyResponse.Instance;
    }

    public async Task<RequestAddressResponse> RequestAddressAsync(RequestAddressRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pool = PoolId.Parse(request.PoolId);
        var node = NodeAddresses.Require(await agentConfig.GetRequiredAsync(cancellationToken), pool.Family, agent.Endpoint);

        IPAddress? requested = null;
        if (!string.IsNullOrEmpty(request.Address))
        {
            requested = ParseAddress(request.Address, pool);
        }

        if (request.Options?.GetValueOrDefault(IpamNames.RequestAddressTypeKey) == IpamNames.GatewayRequestType)
        {
            return Gateway(node, requested);
        }

        var address = requested is not null
            ? await ReserveRequestedAsync(pool, node, requested, cancellationToken)
            : pool.Subnet is not null
                ? await ReserveInSubnetAsync(pool, node, cancellationToken)
                : await AllocateNextAsync(pool.Family, cancellationToken);
        metrics.RecordAddressAllocated();
        LogAllocated(logger, address, pool);
        return new RequestAddressResponse { Address = IpPrefixes.HostPrefix(address) };
    }

    public async Task<EmptyResponse> ReleaseAddressAsync(ReleaseAddressRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pool = PoolId.Parse(request.PoolId);
        if (string.IsNullOrEmpty(request.Address))
        {
            throw new PluginCallException("ReleaseAddress needs the Address to release");
        }

        var address = ParseAddress(request.Address, pool);
        if (ledger.TrySettleReleasedClaim(address))
        {
            // The agent released it with the endpoint; asking again could free it from its next holder.
            LogReleasedWithEndpoint(logger, address);
            return EmptyResponse.Instance;
        }

        var agentPool = ledger.PoolOf(address);
        if (agentConfig.Current?.Status is not { } status)
        {
            // Without the agent's configuration the router IP is unknown; the janitor checks before releasing.
            ledger.DeferRelease(address, agentPool);
            LogReleaseDeferred(logger, address, "the agent's configuration is not known yet");
            return EmptyResponse.Instance;
        }

        if (IsRouter(status, address))
        {
            // Docker releases the network gateway on `network rm`; the router IP belongs to the agent.
            LogRouterRelease(logger, address);
            return EmptyResponse.Instance;
        }

        (OwedWorkOutcome Outcome, CiliumAgentException? Failure) release;
        try
        {
            release = await OwedWork.TryAsync(() => agent.ReleaseAsync(address.ToString(), agentPool, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ledger.DeferRelease(address, agentPool);
            throw;
        }

        switch (release.Outcome)
        {
            case OwedWorkOutcome.StillOwed:
                ledger.DeferRelease(address, agentPool);
                LogReleaseDeferred(logger, address, release.Failure!.Message);
                return EmptyResponse.Instance;
            case OwedWorkOutcome.Refused:
                ledger.Forget(address);
                throw release.Failure!;
        }

        ledger.Forget(address);
        metrics.RecordAddressReleased();
        LogReleased(logger, address);
        return EmptyResponse.Instance;
    }

    public static bool IsRouter(DaemonConfigurationStatus status, IPAddress address)
        => NodeAddresses.Find(status, IpPrefixes.FamilyOf(address))?.Router.Equals(address) == true;

    private static PoolId DefaultPool(FamilyAddressing node, string? subPool)
    {
        if (!string.IsNullOrEmpty(subPool))
        {
            throw new PluginCallException($"--ip-range {subPool} needs --subnet: give the subnet the range lies in");
        }

        if (node.Family == IpFamily.IPv6 && node.AllocRange is null)
        {
            throw new PluginCallException("the Cilium agent reports no IPv6 allocation range (alloc-range); check its IPv6 configuration");
        }

        return new PoolId(node.Family);
    }

    private static PoolId UserPool(FamilyAddressing node, string poolText, string? subPoolText)
    {
        var name = IpPrefixes.FamilyName(node.Family);
        if (!IpPrefixes.TryParseNormalized(poolText, out var subnet) || IpPrefixes.FamilyOf(subnet.BaseAddress) != node.Family)
        {
            throw new PluginCallException($"--subnet {poolText} is not an {name} subnet in CIDR form (like {(node.Family == IpFamily.IPv4 ? "10.11.5.0/24" : "fd00:11:5::/112")})");
        }

        if (node.AllocRange is not { } range)
        {
            throw new PluginCallException($"the Cilium agent reports no {name} allocation range, so --subnet {poolText} cannot be checked; create the network without --subnet");
        }

        if (!IpPrefixes.Contains(range, subnet))
        {
            throw new PluginCallException(
                $"--subnet {subnet} lies outside the Cilium agent's {name} allocation range {range}; choose a subnet inside {range}, or omit --subnet");
        }

        IPNetwork? subPool = null;
        if (!string.IsNullOrEmpty(subPoolText))
        {
            if (!IpPrefixes.TryParseNormalized(subPoolText, out var parsed)
                || IpPrefixes.FamilyOf(parsed.BaseAddress) != node.Family
                || !IpPrefixes.Contains(subnet, parsed))
            {
                throw new PluginCallException($"--ip-range {subPoolText} must be an {name} range in CIDR form inside --subnet {subnet}");
            }

            subPool = parsed;
        }

        return new PoolId(node.Family, subnet, subPool);
    }

    private static IPAddress ParseAddress(string text, PoolId pool)
    {
        if (!IpPrefixes.TryParseHost(text, out var address))
        {
            throw new PluginCallException($"\"{text}\" is not an IP address");
        }

        if (IpPrefixes.FamilyOf(address) != pool.Family)
        {
            throw new PluginCallException($"{address} is not an {IpPrefixes.FamilyName(pool.Family)} address, but pool {pool} is {IpPrefixes.FamilyName(pool.Family)}");
        }

        return address;
    }

    private static RequestAddressResponse Gateway(FamilyAddressing node, IPAddress? requested)
    {
        if (requested is not null && !requested.Equals(node.Router))
        {
            throw new PluginCallException(
                $"the gateway of a Cilium network is the node's Cilium router {node.Router}; omit --gateway or pass --gateway {node.Router}");
        }

        return new RequestAddressResponse { Address = IpPrefixes.HostPrefix(node.Router) };
    }

    private async Task<IPAddress> ReserveRequestedAsync(PoolId pool, FamilyAddressing node, IPAddress address, CancellationToken cancellationToken)
    {
        if (address.Equals(node.Router))
        {
            throw new PluginCallException($"{address} is the node's Cilium router address and cannot be given to a container");
        }

        if (pool.Subnet is { } subnet && !subnet.Contains(address))
        {
            throw new PluginCallException($"{address} is outside the network's subnet {subnet}");
        }

        if (node.AllocRange is { } range && !range.Contains(address))
        {
            throw new PluginCallException($"{address} is outside the Cilium agent's allocation range {range}; container addresses come from that range");
        }

        if (await TryReserveAsync(address, cancellationToken) is { } refusal)
        {
            throw new PluginCallException($"{address} cannot be reserved at the Cilium agent, which refuses it ({refusal}); choose another address");
        }

        return address;
    }

    /// <summary>The agent allocates from its whole range, so addresses inside a user subnet are picked here and
    /// reserved one by one; the agent refuses the ones already taken.</summary>
    private async Task<IPAddress> ReserveInSubnetAsync(PoolId pool, FamilyAddressing node, CancellationToken cancellationToken)
    {
        var scope = pool.Range ?? pool.Subnet!.Value;
        var tried = 0;
        string? lastRefusal = null;
        foreach (var candidate in subnetCursor.Candidates(pool.ToString(), scope, pool.Subnet!.Value, SubnetProbeLimit))
        {
            if (candidate.Equals(node.Router) || (node.AllocRange is { } range && !range.Contains(candidate)))
            {
                continue;
            }

            tried++;
            string? refusal;
            try
            {
                refusal = await TryReserveAsync(candidate, cancellationToken);
            }
            catch (CiliumAgentException ex) when (ex.Failure == AgentFailure.OutOfTime)
            {
                // Probing is bounded by the Docker call's deadline as well as by the probe count.
                throw new PluginCallException(
                    $"no free address found in {scope} before this call's deadline (tried {tried - 1}; the agent refused each or answered slowly); use a larger --subnet/--ip-range, or pick one with --ip"
                    + (lastRefusal is null ? string.Empty : $" (last refusal: {lastRefusal})"));
            }

            if (refusal is null)
            {
                return candidate;
            }

            lastRefusal = refusal;
        }

        throw new PluginCallException(
            $"no free address found in {scope} (tried {tried}); the range may be full: use a larger --subnet/--ip-range, or pick one with --ip"
            + (lastRefusal is null ? string.Empty : $" (last refusal: {lastRefusal})"));
    }

    /// <summary>Null when the agent now holds the address for this plugin; otherwise why it is not available. The
    /// agent answers every refusal (taken, outside its range, family disabled) with 500 and a message.</summary>
    private async Task<string?> TryReserveAsync(IPAddress address, CancellationToken cancellationToken)
    {
        // Reserved or allocated for another container that has not started yet: taken, without asking.
        if (!ledger.TryReserve(address))
        {
            return "another container of this host is about to use it";
        }

        try
        {
            await agent.AllocateAsync(address.ToString(), IpamNames.Owner, AgentPaths.DefaultPool, cancellationToken);
        }
        catch (CiliumAgentException ex) when (ex.IsVerdict)
        {
            ledger.DropReservation(address);
            return ex.Message;
        }

        // The agent's answer is in: an old release owed for this address is void, the address has a new holder.
        ledger.ForgetDeferredRelease(address);
        if (cancellationToken.IsCancellationRequested)
        {
            await ReleaseAbandonedAsync(address);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return null;
    }

    private async Task<IPAddress> AllocateNextAsync(IpFamily family, CancellationToken cancellationToken)
    {
        var response = await agent.AllocateNextAsync(family, IpamNames.Owner, expiration: true, cancellationToken);
        if (response.HostAddressing is { } hostAddressing)
        {
            agentConfig.ObserveHostAddressing(hostAddressing);
        }

        var text = response.AddressOf(family);
        if (!IpPrefixes.TryParseAddress(text, out var address) || IpPrefixes.FamilyOf(address) != family)
        {
            await ReleaseStrayAsync(response);
            throw new PluginCallException(
                $"the Cilium agent answered no {IpPrefixes.FamilyName(family)} address (got \"{response.Address?.IPv4}{response.Address?.IPv6}\"); "
                + $"check that {IpPrefixes.FamilyName(family)} is enabled in the agent and that its pool is not exhausted");
        }

        ledger.RecordAllocated(address, response.ExpirationUuidOf(family), response.PoolOf(family));
        if (cancellationToken.IsCancellationRequested)
        {
            await ReleaseAbandonedAsync(address);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return address;
    }

    /// <summary>Whatever the agent handed out for a request that is failing must go back.</summary>
    private async Task ReleaseStrayAsync(IpamResponse response)
    {
        foreach (var family in new[] { IpFamily.IPv4, IpFamily.IPv6 })
        {
            if (IpPrefixes.TryParseAddress(response.AddressOf(family), out var stray))
            {
                ledger.RecordAllocated(stray, response.ExpirationUuidOf(family), response.PoolOf(family));
                await ReleaseAbandonedAsync(stray);
            }
        }
    }

    private async Task ReleaseAbandonedAsync(IPAddress address)
    {
        var pool = ledger.PoolOf(address);
        try
        {
            await agent.ReleaseAsync(address.ToString(), pool, CancellationToken.None);
            ledger.Forget(address);
            LogReleasedAbandoned(logger, address);
        }
        catch (CiliumAgentException ex)
        {
            ledger.DeferRelease(address, pool);
            LogReleaseDeferred(logger, address, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "pool {PoolId} ({Pool}), gateway {Router}")]
    private static partial void LogPool(ILogger logger, PoolId poolId, string pool, IPAddress router);

    [LoggerMessage(Level = LogLevel.Information, Message = "allocated {Address} in pool {PoolId}")]
    private static partial void LogAllocated(ILogger logger, IPAddress address, PoolId poolId);

    [LoggerMessage(Level = LogLevel.Information, Message = "released {Address}")]
    private static partial void LogReleased(ILogger logger, IPAddress address);

    [LoggerMessage(Level = LogLevel.Information, Message = "released {Address} with its endpoint; nothing to ask the agent")]
    private static partial void LogReleasedWithEndpoint(ILogger logger, IPAddress address);

    [LoggerMessage(Level = LogLevel.Information, Message = "released {Address}: Docker abandoned the request it was allocated for")]
    private static partial void LogReleasedAbandoned(ILogger logger, IPAddress address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "release of the router address {Address} ignored: it belongs to the agent")]
    private static partial void LogRouterRelease(ILogger logger, IPAddress address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "release of {Address} deferred, it will be retried in the background: {Reason}")]
    private static partial void LogReleaseDeferred(ILogger logger, IPAddress address, string reason);
}
