using System.Net;
using CiliumAgentSim.Model;

namespace CiliumAgentSim.State;

internal sealed partial class AgentState
{
    /// <summary><c>POST /v1/ipam</c>. A null family means every enabled family, all or nothing.</summary>
    public AgentResult<IpamResponse> AllocateNext(IpFamily? family, string owner, string? pool, bool expiration)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (!IsKnownPool(pool))
        {
            return AgentResult<IpamResponse>.Fail(502, $"unable to allocate from unknown IPAM pool \"{pool}\"");
        }

        lock (_gate)
        {
            // The agent allocates IPv6 before IPv4 and hands the IPv6 address back if IPv4 fails.
            IpFamily[] families = family is { } one ? [one] : [IpFamily.IPv6, IpFamily.IPv4];
            var made = new List<Allocation>(2);
            foreach (var next in families)
            {
                var addressPool = PoolFor(next);
                if (addressPool is null)
                {
                    // The real agent skips a disabled family even when it was asked for: 201 with an empty address.
                    continue;
                }

                var address = addressPool.AllocateNext();
                if (address is null)
                {
                    foreach (var undo in made)
                    {
                        ReleaseLocked(undo);
                    }

                    return AgentResult<IpamResponse>.Fail(
                        502,
                        $"unable to allocate {next.Name()} address: range is full ({addressPool.AllocatedCount} addresses of {addressPool.Range} allocated)");
                }

                made.Add(Record(address, owner, expiration));
            }

            return AgentResult<IpamResponse>.Ok(201, BuildIpamResponse(made));
        }
    }

    /// <summary><c>POST /v1/ipam/{ip}</c>: reserve one given address.</summary>
    public AgentResult<bool> Allocate(string ip, string owner, string? pool)
    {
        ArgumentNullException.ThrowIfNull(owner);
        // Every refusal is the allocator's 500, as the real agent answers (no 400/409/501).
        if (MissingPool(pool) is { } missing)
        {
            return missing;
        }

        if (!IpText.TryParse(ip, out var address))
        {
            return AgentResult<bool>.Fail(500, $"Invalid IP address: {ip}");
        }

        if (!IsKnownPool(pool))
        {
            return AgentResult<bool>.Fail(500, $"unknown IPAM pool \"{pool}\"");
        }

        lock (_gate)
        {
            var addressPool = PoolFor(IpFamilyNames.Of(address));
            if (addressPool is null)
            {
                return AgentResult<bool>.Fail(500, DisabledFamily(address));
            }

            switch (addressPool.Claim(address))
            {
                case PoolClaim.Taken:
                    return AgentResult<bool>.Fail(500, "provided IP is already allocated");
                case PoolClaim.NotInRange:
                    return AgentResult<bool>.Fail(500, $"provided IP is not in the valid range. The range of valid IPs is {addressPool.Range}");
                default:
                    Record(address, owner, expiration: false);
                    return AgentResult<bool>.Ok(200, true);
            }
        }
    }

    /// <summary><c>DELETE /v1/ipam/{ip}</c>.</summary>
    public AgentResult<bool> Release(string ip, string? pool)
    {
        if (MissingPool(pool) is { } missing)
        {
            return missing;
        }

        if (!IpText.TryParse(ip, out var address))
        {
            return AgentResult<bool>.Fail(500, $"Invalid IP address or owner name: {ip}");
        }

        lock (_gate)
        {
            var addressPool = PoolFor(IpFamilyNames.Of(address));
            if (addressPool is null)
            {
                return AgentResult<bool>.Fail(500, DisabledFamily(address));
            }

            if (FindHolder(address) is { } holder)
            {
                return AgentResult<bool>.Fail(500, $"IP is in use by endpoint {holder.Id}");
            }

            // The real agent (1.10-1.13) answers 200 for an address that is not allocated: nothing to do is success.
            if (_allocations.TryGetValue(address, out var allocation))
            {
                ReleaseLocked(allocation);
            }

            return AgentResult<bool>.Ok(200, true);
        }
    }

    private static string DisabledFamily(IPAddress address) =>
        IpFamilyNames.Of(address) == IpFamily.IPv4 ? "IPv4 allocation disabled" : "IPv6 allocation disabled";

    /// <summary>From 1.14 the address routes refuse to guess the pool.</summary>
    private AgentResult<bool>? MissingPool(string? pool) =>
        _hasIpamPools && string.IsNullOrEmpty(pool) ? AgentResult<bool>.Fail(500, "no IPAM pool provided") : null;

    private static bool IsKnownPool(string? pool) => string.IsNullOrEmpty(pool) || pool == DefaultPool;

    private Allocation Record(IPAddress address, string owner, bool expiration)
    {
        var allocation = new Allocation
        {
            Address = address,
            Owner = owner,
            Pool = DefaultPool,
            AllocatedAt = _time.GetUtcNow(),
        };
        if (expiration)
        {
            var uuid = Guid.NewGuid().ToString();
            allocation.ExpirationUuid = uuid;
            allocation.ExpiresAt = allocation.AllocatedAt + _expiration;
            allocation.ExpirationTimer = _time.CreateTimer(Expire, new ExpirationKey(address, uuid), _expiration, Timeout.InfiniteTimeSpan);
        }

        _allocations[address] = allocation;
        return allocation;
    }

    private void Expire(object? state)
    {
        var key = (ExpirationKey)state!;
        lock (_gate)
        {
            // A release, a re-allocation or an endpoint claim since the timer started changes the UUID or removes it.
            if (!_disposed && _allocations.TryGetValue(key.Address, out var allocation) && allocation.ExpirationUuid == key.Uuid)
            {
                ReleaseLocked(allocation);
            }
        }
    }

    private void ReleaseLocked(Allocation allocation)
    {
        allocation.StopExpiration();
        _allocations.Remove(allocation.Address);
        PoolFor(IpFamilyNames.Of(allocation.Address))?.Release(allocation.Address);
    }

    private IpamResponse BuildIpamResponse(List<Allocation> made)
    {
        var v4 = made.Find(a => IpFamilyNames.Of(a.Address) == IpFamily.IPv4);
        var v6 = made.Find(a => IpFamilyNames.Of(a.Address) == IpFamily.IPv6);
        return new IpamResponse
        {
            // The real agent's AddressPair here carries no expiration UUIDs: they come only in ipv4/ipv6 below.
            Address = new AddressPair
            {
                IPv4 = v4?.Address.ToString(),
                IPv4PoolName = _hasIpamPools ? v4?.Pool : null,
                IPv6 = v6?.Address.ToString(),
                IPv6PoolName = _hasIpamPools ? v6?.Pool : null,
            },
            HostAddressing = NodeAddressing(),
            IPv4 = v4 is null ? null : Detail(v4),
            IPv6 = v6 is null ? null : Detail(v6),
        };
    }

    private static IpamAddressResponse Detail(Allocation allocation) => new()
    {
        Ip = allocation.Address.ToString(),
        ExpirationUuid = allocation.ExpirationUuid ?? "",
    };

    private sealed record ExpirationKey(IPAddress Address, string Uuid);
}
