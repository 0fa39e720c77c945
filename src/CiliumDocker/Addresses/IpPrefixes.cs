using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CiliumDocker.Agent;

namespace CiliumDocker.Addresses;

/// <summary>Address and prefix parsing for what users type (<c>--subnet 10.1.2.3/24</c>) and what Docker echoes.</summary>
internal static class IpPrefixes
{
    /// <summary>Parses a CIDR and clears host bits, as Go's ParseCIDR does for Docker's <c>--subnet</c>.</summary>
    public static bool TryParseNormalized(string? text, out IPNetwork network)
    {
        network = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0
            || !TryParseAddress(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || length > BitLength(address.AddressFamily))
        {
            return false;
        }

        network = new IPNetwork(Mask(address, length), length);
        return true;
    }

    /// <summary>A plain IP, also accepted with a prefix length (Docker's interface addresses carry one).</summary>
    public static bool TryParseHost(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var hostPart = slash < 0 ? text.AsSpan() : text.AsSpan(0, slash);
        if (!TryParseAddress(hostPart, out var parsed))
        {
            return false;
        }

        if (slash >= 0 && !TryParseNormalized(text, out _))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>
    /// An address the way Go's ParseIP reads it: four decimal octets without leading zeros, or IPv6 without a zone.
    /// IPAddress.TryParse alone also takes "10.11" or "010.1.1.1" (inet_aton forms) and would read them differently.
    /// </summary>
    public static bool TryParseAddress(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':'))
        {
            if (text.Contains('%') || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = v6;
            return true;
        }

        var octets = 0;
        foreach (var range in text.Split('.'))
        {
            var octet = text[range];
            if (++octets > 4 || octet.IsEmpty || octet.Length > 3 || (octet.Length > 1 && octet[0] == '0')
                || !int.TryParse(octet, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 255)
            {
                return false;
            }
        }

        if (octets != 4 || !IPAddress.TryParse(text, out var v4))
        {
            return false;
        }

        address = v4;
        return true;
    }

    public static IpFamily FamilyOf(IPAddress address)
        => address.AddressFamily == AddressFamily.InterNetworkV6 ? IpFamily.IPv6 : IpFamily.IPv4;

    public static int BitLength(IpFamily family) => family == IpFamily.IPv6 ? 128 : 32;

    /// <summary>The single-address prefix Cilium hands out: all traffic goes through the router.</summary>
    public static string HostPrefix(IPAddress address) => $"{address}/{BitLength(FamilyOf(address))}";

    public static string FamilyName(IpFamily family) => family == IpFamily.IPv6 ? "IPv6" : "IPv4";

    public static bool Contains(IPNetwork outer, IPNetwork inner)
        => inner.PrefixLength >= outer.PrefixLength && outer.Contains(inner.BaseAddress);

    public static UInt128 ToNumber(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        UInt128 value = 0;
        foreach (var b in address.GetAddressBytes())
        {
            value = (value << 8) | b;
        }

        return value;
    }

    public static IPAddress FromNumber(UInt128 value, IpFamily family)
    {
        var bytes = new byte[BitLength(family) / 8];
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }

    private static int BitLength(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 128 : 32;

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}
