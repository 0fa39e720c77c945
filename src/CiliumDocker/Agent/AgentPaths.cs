using System.Globalization;
using System.Text;

namespace CiliumDocker.Agent;

/// <summary>Request targets of the agent API, escaped the way the original Go client escaped them.</summary>
internal static class AgentPaths
{
    public const string Config = "/v1/config";
    public const string Endpoints = "/v1/endpoint";
    public const string Ipam = "/v1/ipam";
    public const string Services = "/v1/service";

    /// <summary>The pool an agent without multi-pool IPAM allocates from. From Cilium 1.14 the address routes
    /// (<c>/v1/ipam/{ip}</c>) refuse a request without <c>pool</c>; older agents ignore the parameter.</summary>
    public const string DefaultPool = "default";

    public static string AllocateNext(IpFamily family, string owner) =>
        $"{Ipam}?family={FamilyName(family)}&owner={Uri.EscapeDataString(owner)}";

    public static string ReleaseAddress(string ip, string pool) =>
        $"{Ipam}/{EscapeSegment(ip)}?pool={Uri.EscapeDataString(pool)}";

    public static string AllocateAddress(string ip, string owner, string pool) =>
        $"{Ipam}/{EscapeSegment(ip)}?owner={Uri.EscapeDataString(owner)}&pool={Uri.EscapeDataString(pool)}";

    public static string Endpoint(string id) => $"{Endpoints}/{EscapeSegment(id)}";

    public static string Service(long id) => $"{Services}/{id.ToString(CultureInfo.InvariantCulture)}";

    public static string FamilyName(IpFamily family) => family switch
    {
        IpFamily.IPv4 => "ipv4",
        IpFamily.IPv6 => "ipv6",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "unknown address family"),
    };

    /// <summary>
    /// Go's <c>url.PathEscape</c>: keeps unreserved characters and <c>$&amp;+:=@</c>, so <c>cilium-local:0</c> and
    /// IPv6 addresses stay readable, and escapes everything else as UTF-8 percent-encoding.
    /// </summary>
    public static string EscapeSegment(string segment)
    {
        ArgumentException.ThrowIfNullOrEmpty(segment);

        // "." and ".." are path navigation, not names: escaping them keeps the request on the intended resource.
        if (segment is "." or "..")
        {
            return segment.Replace(".", "%2E", StringComparison.Ordinal);
        }

        StringBuilder? escaped = null;
        var bytes = Encoding.UTF8.GetBytes(segment);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (IsKept(b))
            {
                escaped?.Append((char)b);
                continue;
            }

            if (escaped is null)
            {
                escaped = new StringBuilder(bytes.Length + 8);
                escaped.Append(Encoding.UTF8.GetString(bytes, 0, i));
            }

            escaped.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return escaped?.ToString() ?? segment;
    }

    private static bool IsKept(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~'
            or (byte)'$' or (byte)'&' or (byte)'+' or (byte)':' or (byte)'=' or (byte)'@';
}
