using System.Net;

namespace CiliumAgentSim.State;

/// <summary>
/// Address parsing as strict as Go's <c>net.ParseIP</c>: .NET also accepts "10.11.0" or "1" (inet_aton forms),
/// zones ("fe80::1%eth0") and leading zeros, which the agent rejects.
/// </summary>
internal static class IpText
{
    public static bool TryParse(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.IsEmpty || text.Contains('%') || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (!text.Contains(':') && !IsDottedQuad(text))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    public static bool TryParse(string? text, out IPAddress address) => TryParse(text.AsSpan(), out address);

    private static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (part.IsEmpty || part.Length > 3 || (part.Length > 1 && part[0] == '0') || !part.ContainsOnlyDigits())
            {
                return false;
            }

            parts++;
        }

        return parts == 4;
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
