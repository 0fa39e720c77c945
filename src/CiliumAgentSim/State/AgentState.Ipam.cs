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
                    if (family is null)
                    {
                        continue;
                    }

                    return AgentResult<IpamResponse>.Fail(502, $"{next.Name()} allocator not available: {next.Name()} is disabled in the agent");
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
        if (!IpText.TryParse(ip, out var address))
        {
            return AgentResult<bool>.Fail(400, $"Invalid IP address: {ip}");
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
                return AgentResult<bool>.Fail(501, $"{IpFamilyNames.Of(address).Name()} allocation is disabled in the agent");
            }

            switch (addressPool.Claim(address))
            {
                case PoolClaim.Taken:
                    return AgentResult<bool>.Fail(409, $"IP {address} is already allocated");
                case PoolClaim.NotInRange:
                    return AgentResult<bool>.Fail(500, $"IP {address} is not an allocatable address of range {addressPool.Range}");
                default:
                    Record(address, owner, expiration: false);
                    return AgentResult<bool>.Ok(200, true);
            }
        }
    }

    /// <summary><c>DELETE /v1/ipam/{ip}</c>.</summary>
    public AgentResult<bool> Release(string ip)
    {
        if (!IpText.TryParse(ip, out var address))
        {
            return AgentResult<bool>.Fail(400, $"Invalid IP address: {ip}");
        }

        lock (_gate)
        {
            var addressPool = PoolFor(IpFamilyNames.Of(address));
            if (addressPool is null)
            {
                return AgentResult<bool>.Fail(501, $"{IpFamilyNames.Of(address).Name()} allocation is disabled in the agent");
            }

            if (FindHolder(address) is { } holder)
            {
                return AgentResult<bool>.Fail(500, $"IP is in use by endpoint {holder.Id}");
            }

            if (address.Equals(addressPool.Router))
            {
                return AgentResult<bool>.Fail(500, $"IP {address} is the router IP of this node (cilium_host) and cannot be released");
            }

            // The real agent (1.10-1.13) answers 200 for an address that is not allocated: nothing to do is success.
            if (_allocations.TryGetValue(address, out var allocation))
            {
                ReleaseLocked(allocation);
            }

            return AgentResult<bool>.Ok(200, true);
        }
    }

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
                IPv4PoolName = v4?.Pool,
                IPv6 = v6?.Address.ToString(),
                IPv6PoolName = v6?.Pool,
            },
            HostAddressing = NodeAddressing(),
            IPv4 = v4 is null ? null : Detail(v4, _ipv4!),
            IPv6 = v6 is null ? null : Detail(v6, _ipv6!),
        };
    }

    private static IpamAddressResponse Detail(Allocation allocation, AddressPool pool) => new()
    {
        Ip = allocation.Address.ToString(),
        Gateway = pool.Router.ToString(),
        Cidrs = [pool.Range.ToString()],
        ExpirationUuid = allocation.ExpirationUuid ?? "",
    };

    private sealed record ExpirationKey(IPAddress Address, string Uuid);
}
