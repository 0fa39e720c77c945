using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CiliumAgentSim.State;

/// <summary>An address range, normalised to its network address (host bits cleared, like Go's ParseCIDR).</summary>
internal sealed record Cidr(IPAddress Network, int PrefixLength)
{
    public IpFamily Family => IpFamilyNames.Of(Network);

    public int AddressBits => Family == IpFamily.IPv4 ? 32 : 128;

    /// <summary>Number of addresses in the range; saturates for ranges wider than 2^64.</summary>
    public UInt128 Size => AddressBits - PrefixLength >= 128 ? UInt128.MaxValue : UInt128.One << (AddressBits - PrefixLength);

    public static bool TryParse(string text, out Cidr? cidr)
    {
        cidr = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !IpText.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6) || prefix > bits)
        {
            return false;
        }

        var mask = prefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefix) >> (128 - bits);
        cidr = new Cidr(FromValue(ToValue(address) & mask, IpFamilyNames.Of(address)), prefix);
        return true;
    }

    public bool Contains(IPAddress address) =>
        IpFamilyNames.Of(address) == Family && OffsetOf(address) < Size;

    /// <summary>Distance of <paramref name="address"/> from the network address (wraps when outside).</summary>
    public UInt128 OffsetOf(IPAddress address) => ToValue(address) - ToValue(Network);

    public IPAddress At(UInt128 offset) => FromValue(ToValue(Network) + offset, Family);

    public override string ToString() => $"{Network}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    public static UInt128 ToValue(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        UInt128 value = 0;
        for (var i = 0; i < written; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    public static IPAddress FromValue(UInt128 value, IpFamily family)
    {
        var length = family == IpFamily.IPv4 ? 4 : 16;
        var bytes = new byte[length];
        for (var i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }
}
