using System.Globalization;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>Ethernet addresses as the kernel takes them (6 bytes) and as Docker and Cilium write them (aa:bb:…).</summary>
internal static class MacAddresses
{
    public const int Length = 6;

    /// <summary>
    /// A random locally administered unicast address. Setting it explicitly keeps systemd's MACAddressPolicy from
    /// rewriting the address after creation. Random.Shared rather than RandomNumberGenerator: the latter goes
    /// through OpenSSL, which the plugin's rootfs does not have, and a MAC needs uniqueness, not secrecy.
    /// </summary>
    public static byte[] NewLocallyAdministered()
    {
        var mac = new byte[Length];
        Random.Shared.NextBytes(mac);
        mac[0] = (byte)((mac[0] & 0xFE) | 0x02);
        return mac;
    }

    /// <summary>
    /// Parses "aa:bb:cc:dd:ee:ff" (or with dashes, any case) and checks that it can be an interface's own address.
    /// Returns null and sets <paramref name="error"/> otherwise.
    /// </summary>
    public static byte[]? TryParseUnicast(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(text.Contains('-', StringComparison.Ordinal) ? '-' : ':');
        var mac = new byte[Length];
        if (parts.Length != Length || !parts.All(p => p.Length == 2))
        {
            error = $"'{text}' is not a MAC address like 02:42:ac:11:00:02";
            return null;
        }

        for (var i = 0; i < Length; i++)
        {
            if (!byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mac[i]))
            {
                error = $"'{text}' is not a MAC address like 02:42:ac:11:00:02";
                return null;
            }
        }

        error = (mac[0] & 0x01) != 0 ? $"{text} is a multicast address, not an interface's own"
            : mac.All(b => b == 0) ? $"{text} is the all-zero address"
            : null;
        return error is null ? mac : null;
    }

    /// <summary>Lower-case, colon-separated.</summary>
    public static string Format(ReadOnlySpan<byte> mac) =>
        string.Join(':', mac.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
