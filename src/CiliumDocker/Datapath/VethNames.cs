using System.Text;

namespace CiliumDocker.Datapath;

/// <summary>
/// Interface names derived from the endpoint id alone, so that Join and DeleteEndpoint find them again after a
/// plugin restart without any stored state. 12 hex digits of sha256 keep both names within IFNAMSIZ and make two
/// endpoints' names collide with odds of 2^-48 (the original's temporary name used 5 characters of the id).
/// </summary>
internal static class VethNames
{
    public static string Host(string endpointId) => "lxc" + Hash(endpointId);

    public static string Container(string endpointId) => "tmp" + Hash(endpointId);

    private static string Hash(string endpointId)
    {
        Span<byte> digest = stackalloc byte[Sha256.HashSizeInBytes];
        Sha256.HashData(Encoding.UTF8.GetBytes(endpointId), digest);
        return Convert.ToHexStringLower(digest)[..12];
    }
}
