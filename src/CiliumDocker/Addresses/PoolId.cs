using System.Net;
using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Addresses;

/// <summary>
/// The pool id Docker stores with a network and sends back on every address call. It carries the whole pool
/// (<c>CiliumPoolv4</c>, or <c>CiliumPoolv4/10.11.5.0/24[/10.11.5.128/25]</c> with a user subnet and range), so the
/// plugin needs no pool table and a network keeps working after a plugin restart.
/// </summary>
internal sealed record PoolId(IpFamily Family, IPNetwork? Subnet = null, IPNetwork? Range = null)
{
    public const string IPv4Name = "CiliumPoolv4";
    public const string IPv6Name = "CiliumPoolv6";

    public string Name => Family == IpFamily.IPv6 ? IPv6Name : IPv4Name;

    public override string ToString() => (Subnet, Range) switch
    {
        (null, _) => Name,
        ({ } subnet, null) => $"{Name}/{subnet}",
        ({ } subnet, { } range) => $"{Name}/{subnet}/{range}",
    };

    public static PoolId Parse(string? text)
        => TryParse(text, out var pool)
            ? pool
            : throw new RequestRefusedException(
                $"unknown pool ID \"{text}\": cilium-docker issues {IPv4Name}, {IPv6Name} and {IPv4Name}/<subnet>; "
                + "was the network created with --ipam-driver cilium?");

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PoolId? pool)
    {
        pool = null;
        if (text is null)
        {
            return false;
        }

        IpFamily family;
        if (text.StartsWith(IPv4Name, StringComparison.Ordinal))
        {
            family = IpFamily.IPv4;
        }
        else if (text.StartsWith(IPv6Name, StringComparison.Ordinal))
        {
            family = IpFamily.IPv6;
        }
        else
        {
            return false;
        }

        var rest = text.AsSpan(IPv4Name.Length);
        if (rest.IsEmpty)
        {
            pool = new PoolId(family);
            return true;
        }

        if (rest[0] != '/')
        {
            return false;
        }

        // "/a/len" or "/a/len/b/len": split after the second slash of the remainder.
        rest = rest[1..];
        var firstSlash = rest.IndexOf('/');
        var secondSlash = firstSlash < 0 ? -1 : rest[(firstSlash + 1)..].IndexOf('/');
        var subnetText = secondSlash < 0 ? rest : rest[..(firstSlash + 1 + secondSlash)];
        if (!TryParseCanonical(subnetText, family, out var subnet))
        {
            return false;
        }

        if (secondSlash < 0)
        {
            pool = new PoolId(family, subnet);
            return true;
        }

        if (!TryParseCanonical(rest[(firstSlash + 2 + secondSlash)..], family, out var range) || !IpPrefixes.Contains(subnet, range))
        {
            return false;
        }

        pool = new PoolId(family, subnet, range);
        return true;
    }

    /// <summary>Only the exact text <see cref="ToString"/> produces: a pool id Docker echoes is never user input.</summary>
    private static bool TryParseCanonical(ReadOnlySpan<char> text, IpFamily family, out IPNetwork network)
        => IPNetwork.TryParse(text, out network)
            && IpPrefixes.FamilyOf(network.BaseAddress) == family
            && text.SequenceEqual(network.ToString());
}
