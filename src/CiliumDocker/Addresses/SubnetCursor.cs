using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using CiliumDocker.Agent;

namespace CiliumDocker.Addresses;

/// <summary>
/// Where the next search for a free address in a user subnet starts, per pool, so consecutive containers do not
/// all re-probe the addresses handed out before them. In memory only: after a restart the agent's refusals
/// steer the search again.
/// </summary>
internal sealed class SubnetCursor
{
    private readonly ConcurrentDictionary<string, StrongBox<UInt128>> _next = new(StringComparer.Ordinal);

    /// <summary>Up to <paramref name="limit"/> host addresses of <paramref name="scope"/>, starting after the last
    /// one handed out and wrapping around; the network and broadcast addresses of <paramref name="subnet"/> are skipped.</summary>
    public IEnumerable<IPAddress> Candidates(string poolKey, IPNetwork scope, IPNetwork subnet, int limit)
    {
        ArgumentNullException.ThrowIfNull(poolKey);
        var family = IpPrefixes.FamilyOf(scope.BaseAddress);
        var bits = IpPrefixes.BitLength(family);
        var size = scope.PrefixLength == 0 ? UInt128.MaxValue : UInt128.One << (bits - scope.PrefixLength);
        var first = IpPrefixes.ToNumber(scope.BaseAddress);
        var subnetFirst = IpPrefixes.ToNumber(subnet.BaseAddress);
        var subnetLast = subnetFirst + ((UInt128.One << (bits - subnet.PrefixLength)) - 1);
        var cursor = _next.GetOrAdd(poolKey, static _ => new StrongBox<UInt128>(0));

        // A /31 or /32 (/127, /128) has no network or broadcast address to keep free.
        var hasEdges = subnet.PrefixLength < bits - 1;

        var produced = 0;
        for (UInt128 step = 0; step < size && produced < limit; step++)
        {
            UInt128 offset;
            lock (cursor)
            {
                offset = cursor.Value % size;
                cursor.Value = offset + 1;
            }

            var number = first + offset;
            var isSubnetEdge = hasEdges && (number == subnetFirst || (family == IpFamily.IPv4 && number == subnetLast));
            if (isSubnetEdge)
            {
                continue;
            }

            produced++;
            yield return IpPrefixes.FromNumber(number, family);
        }
    }
}
