using System.Net;

namespace CiliumAgentSim.State;

internal enum PoolClaim
{
    Claimed,
    Taken,
    NotInRange,
}

/// <summary>
/// Addresses of one family's allocation range. Never hands out the network address, the router or (IPv4) the
/// broadcast address; the next-free scan starts at a cursor so a freed address is reused only after a full turn.
/// Not thread-safe: <see cref="AgentState"/> serialises every call.
/// </summary>
internal sealed class AddressPool
{
    private readonly HashSet<UInt128> _taken = [];
    private readonly UInt128 _first;
    private readonly UInt128 _last;
    private UInt128 _cursor;

    public AddressPool(Cidr range, IPAddress router)
    {
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(router);
        Range = range;
        Router = router;
        var hostBits = range.AddressBits - range.PrefixLength;

        // /31, /32 (and /127, /128) have no network or broadcast address to skip.
        _first = hostBits <= 1 ? UInt128.Zero : UInt128.One;
        var size = range.Size;
        _last = size - UInt128.One - (range.Family == IpFamily.IPv4 && hostBits > 1 ? UInt128.One : UInt128.Zero);
        _cursor = _first;
        if (range.Contains(router))
        {
            _taken.Add(range.OffsetOf(router));
        }
    }

    public Cidr Range { get; }

    public IPAddress Router { get; }

    public IpFamily Family => Range.Family;

    public int AllocatedCount => _taken.Count - (Range.Contains(Router) ? 1 : 0);

    public bool InRange(IPAddress address) =>
        Range.Contains(address) && Range.OffsetOf(address) >= _first && Range.OffsetOf(address) <= _last;

    public bool IsTaken(IPAddress address) => Range.Contains(address) && _taken.Contains(Range.OffsetOf(address));

    public IPAddress? AllocateNext()
    {
        var span = _last - _first + UInt128.One;
        if ((UInt128)_taken.Count >= span + (Range.Contains(Router) && !InRange(Router) ? UInt128.One : UInt128.Zero))
        {
            return null;
        }

        var offset = _cursor;
        for (UInt128 tried = 0; tried < span; tried++)
        {
            if (_taken.Add(offset))
            {
                _cursor = offset == _last ? _first : offset + UInt128.One;
                return Range.At(offset);
            }

            offset = offset == _last ? _first : offset + UInt128.One;
        }

        return null;
    }

    public PoolClaim Claim(IPAddress address)
    {
        if (!InRange(address))
        {
            return PoolClaim.NotInRange;
        }

        return _taken.Add(Range.OffsetOf(address)) ? PoolClaim.Claimed : PoolClaim.Taken;
    }

    public bool Release(IPAddress address) =>
        !address.Equals(Router) && InRange(address) && _taken.Remove(Range.OffsetOf(address));
}
