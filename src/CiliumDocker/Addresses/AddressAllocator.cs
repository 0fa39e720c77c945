using System.Net;
using CiliumDocker.Agent;
using CiliumDocker.Cleanup;
using CiliumDocker.Infrastructure;
using CiliumDocker.Observability;

namespace CiliumDocker.Addresses;

/// <summary>
/// Pools and addresses for Docker networks, held at the Cilium agent. Addresses are /32 and /128 so that all of a
/// container's traffic goes through the node's Cilium router; the router is also every network's gateway and is never
/// allocated.
/// </summary>
internal sealed partial class AddressAllocator(
    IAgentConfig agentConfig,
    IAgentAddresses agent,
    AddressLedger ledger,
    SubnetCursor subnetCursor,
    PluginMetrics metrics,
    ILogger<AddressAllocator> logger)
{
    /// <summary>Candidates tried per request in a user subnet before giving up: each refused one is an agent call.</summary>
    public const int SubnetProbeLimit = 64;

    /// <param name="subnet">The user's <c>--subnet</c>, or null for the agent's whole range.</param>
    /// <param name="range">The user's <c>--ip-range</c> inside <paramref name="subnet"/>, or null.</param>
    public async Task<AssignedPool> RequestPoolAsync(IpFamily family, string? subnet, string? range, CancellationToken cancellationToken)
    {
        var node = NodeAddresses.Require(await agentConfig.GetRequiredAsync(cancellationToken), family, agent.Endpoint);
        var pool = string.IsNullOrEmpty(subnet)
            ? DefaultPool(node, range)
            : UserPool(node, subnet, range);

        // 0.0.0.0/0 makes Docker skip its host-route overlap loop, which would otherwise ask forever.
        var poolText = pool.Subnet?.ToString() ?? (family == IpFamily.IPv4 ? "0.0.0.0/0" : node.AllocRange!.Value.ToString());
        LogPool(logger, pool, poolText, node.Router);
        return new AssignedPool(pool, poolText, node.Router);
    }

    /// <summary>Pools live only in Docker: releasing one checks its id and holds nothing else.</summary>
    public static void ReleasePool(string? poolId) => _ = PoolId.Parse(poolId);

    /// <summary>An address of <paramref name="poolId"/> for a container, <paramref name="requested"/> when given
    /// (<c>--ip</c>); with <paramref name="gateway"/>, the network's gateway, which is always the node's router.</summary>
    public async Task<IPAddress> RequestAddressAsync(string? poolId, string? requested, bool gateway, CancellationToken cancellationToken)
    {
        var pool = PoolId.Parse(poolId);
        var node = NodeAddresses.Require(await agentConfig.GetRequiredAsync(cancellationToken), pool.Family, agent.Endpoint);
        var requestedAddress = string.IsNullOrEmpty(requested) ? null : ParseAddress(requested, pool);
        if (gateway)
        {
            return Gateway(node, requestedAddress);
        }

        var address = requestedAddress is not null
            ? await ReserveRequestedAsync(pool, node, requestedAddress, cancellationToken)
            : pool.Subnet is not null
                ? await ReserveInSubnetAsync(pool, node, cancellationToken)
                : await AllocateNextAsync(pool.Family, cancellationToken);
        metrics.RecordAddressAllocated();
        LogAllocated(logger, address, pool);
        return address;
    }

    public async Task ReleaseAddressAsync(string? poolId, string? addressText, CancellationToken cancellationToken)
    {
        var pool = PoolId.Parse(poolId);
        if (string.IsNullOrEmpty(addressText))
        {
            throw new RequestRefusedException("ReleaseAddress needs the Address to release");
        }

        var address = ParseAddress(addressText, pool);
        if (ledger.TrySettleReleasedClaim(address))
        {
            // The agent released it with the endpoint; asking again could free it from its next holder.
            LogReleasedWithEndpoint(logger, address);
            return;
        }

        var agentPool = ledger.PoolOf(address);
        if (agentConfig.Current?.Status is not { } status)
        {
            // Without the agent's configuration the router IP is unknown; the janitor checks before releasing.
            ledger.DeferRelease(address, agentPool);
            LogReleaseDeferred(logger, address, "the agent's configuration is not known yet");
            return;
        }

        if (NodeAddresses.IsRouter(status, address))
        {
            // Docker releases the network gateway on `network rm`; the router IP belongs to the agent.
            LogRouterRelease(logger, address);
            return;
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
                return;
            case OwedWorkOutcome.Refused:
                ledger.Forget(address);
                throw release.Failure!;
        }

        ledger.Forget(address);
        metrics.RecordAddressReleased();
        LogReleased(logger, address);
    }

    private static PoolId DefaultPool(FamilyAddressing node, string? subPool)
    {
        if (!string.IsNullOrEmpty(subPool))
        {
            throw new RequestRefusedException($"--ip-range {subPool} needs --subnet: give the subnet the range lies in");
        }

        if (node.Family == IpFamily.IPv6 && node.AllocRange is null)
        {
            throw new RequestRefusedException("the Cilium agent reports no IPv6 allocation range (alloc-range); check its IPv6 configuration");
        }

        return new PoolId(node.Family);
    }

    private static PoolId UserPool(FamilyAddressing node, string poolText, string? subPoolText)
    {
        var name = IpPrefixes.FamilyName(node.Family);
        if (!IpPrefixes.TryParseNormalized(poolText, out var subnet) || IpPrefixes.FamilyOf(subnet.BaseAddress) != node.Family)
        {
            throw new RequestRefusedException($"--subnet {poolText} is not an {name} subnet in CIDR form (like {(node.Family == IpFamily.IPv4 ? "10.11.5.0/24" : "fd00:11:5::/112")})");
        }

        if (node.AllocRange is not { } range)
        {
            throw new RequestRefusedException($"the Cilium agent reports no {name} allocation range, so --subnet {poolText} cannot be checked; create the network without --subnet");
        }

        if (!IpPrefixes.Contains(range, subnet))
        {
            throw new RequestRefusedException(
                $"--subnet {subnet} lies outside the Cilium agent's {name} allocation range {range}; choose a subnet inside {range}, or omit --subnet");
        }

        IPNetwork? subPool = null;
        if (!string.IsNullOrEmpty(subPoolText))
        {
            if (!IpPrefixes.TryParseNormalized(subPoolText, out var parsed)
                || IpPrefixes.FamilyOf(parsed.BaseAddress) != node.Family
                || !IpPrefixes.Contains(subnet, parsed))
            {
                throw new RequestRefusedException($"--ip-range {subPoolText} must be an {name} range in CIDR form inside --subnet {subnet}");
            }

            subPool = parsed;
        }

        return new PoolId(node.Family, subnet, subPool);
    }

    private static IPAddress ParseAddress(string text, PoolId pool)
    {
        if (!IpPrefixes.TryParseHost(text, out var address))
        {
            throw new RequestRefusedException($"\"{text}\" is not an IP address");
        }

        if (IpPrefixes.FamilyOf(address) != pool.Family)
        {
            throw new RequestRefusedException($"{address} is not an {IpPrefixes.FamilyName(pool.Family)} address, but pool {pool} is {IpPrefixes.FamilyName(pool.Family)}");
        }

        return address;
    }

    private static IPAddress Gateway(FamilyAddressing node, IPAddress? requested)
    {
        if (requested is not null && !requested.Equals(node.Router))
        {
            throw new RequestRefusedException(
                $"the gateway of a Cilium network is the node's Cilium router {node.Router}; omit --gateway or pass --gateway {node.Router}");
        }

        return node.Router;
    }

    private async Task<IPAddress> ReserveRequestedAsync(PoolId pool, FamilyAddressing node, IPAddress address, CancellationToken cancellationToken)
    {
        if (address.Equals(node.Router))
        {
            throw new RequestRefusedException($"{address} is the node's Cilium router address and cannot be given to a container");
        }

        if (pool.Subnet is { } subnet && !subnet.Contains(address))
        {
            throw new RequestRefusedException($"{address} is outside the network's subnet {subnet}");
        }

        if (node.AllocRange is { } range && !range.Contains(address))
        {
            throw new RequestRefusedException($"{address} is outside the Cilium agent's allocation range {range}; container addresses come from that range");
        }

        if (await TryReserveAsync(address, cancellationToken) is { } refusal)
        {
            throw new RequestRefusedException($"{address} cannot be reserved at the Cilium agent, which refuses it ({refusal}); choose another address");
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
                throw new RequestRefusedException(
                    $"no free address found in {scope} before this call's deadline (tried {tried - 1}; the agent refused each or answered slowly); use a larger --subnet/--ip-range, or pick one with --ip"
                    + (lastRefusal is null ? string.Empty : $" (last refusal: {lastRefusal})"));
            }

            if (refusal is null)
            {
                return candidate;
            }

            lastRefusal = refusal;
        }

        throw new RequestRefusedException(
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
        var text = response.AddressOf(family);
        if (!IpPrefixes.TryParseAddress(text, out var address) || IpPrefixes.FamilyOf(address) != family)
        {
            await ReleaseStrayAsync(response);
            throw new RequestRefusedException(
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

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "pool {PoolId} ({Pool}), gateway {Router}")]
    private static partial void LogPool(ILogger logger, PoolId poolId, string pool, IPAddress router);

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "allocated {Address} in pool {PoolId}")]
    private static partial void LogAllocated(ILogger logger, IPAddress address, PoolId poolId);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "released {Address}")]
    private static partial void LogReleased(ILogger logger, IPAddress address);

    [LoggerMessage(EventId = 304, Level = LogLevel.Debug, Message = "released {Address} with its endpoint; nothing to ask the agent")]
    private static partial void LogReleasedWithEndpoint(ILogger logger, IPAddress address);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "released {Address}: Docker abandoned the request it was allocated for")]
    private static partial void LogReleasedAbandoned(ILogger logger, IPAddress address);

    [LoggerMessage(EventId = 306, Level = LogLevel.Debug, Message = "release of the router address {Address} ignored: it belongs to the agent")]
    private static partial void LogRouterRelease(ILogger logger, IPAddress address);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "release of {Address} deferred, it will be retried in the background: {Reason}")]
    private static partial void LogReleaseDeferred(ILogger logger, IPAddress address, string reason);
}

/// <summary>A network's pool: its id (which carries everything later calls need), the range Docker is told, and the
/// gateway, which is the node's Cilium router.</summary>
internal sealed record AssignedPool(PoolId Id, string Range, IPAddress Gateway);
