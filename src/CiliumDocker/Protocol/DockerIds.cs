using System.Buffers;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Protocol;

/// <summary>
/// Docker's network and endpoint ids are 64 lowercase hex digits. They end up in agent URL paths
/// (<c>docker-endpoint:&lt;id&gt;</c>) and in logs, so anything that could change a path or a command is refused.
/// The original plugin's alphabet (<c>[-.0-9a-z]</c>) stays accepted.
/// </summary>
internal static class DockerIds
{
    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed = SearchValues.Create("-.0123456789abcdefghijklmnopqrstuvwxyz");

    public static string RequireEndpointId(string? id) => Require(id, "EndpointID");

    public static string RequireNetworkId(string? id) => Require(id, "NetworkID");

    private static string Require(string? id, string field)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new RequestRefusedException($"{field} is missing; Docker sends it with every endpoint call");
        }

        if (id.Length > MaxLength)
        {
            throw new RequestRefusedException($"{field} is {id.Length} characters long; Docker's ids are 64 hexadecimal digits");
        }

        if (id.AsSpan().ContainsAnyExcept(Allowed) || id.Contains("..", StringComparison.Ordinal) || id[0] is '.' or '-')
        {
            throw new RequestRefusedException(
                $"{field} \"{id}\" is not a Docker id: only lowercase letters, digits, '-' and '.' are allowed (Docker's ids are 64 hexadecimal digits)");
        }

        return id;
    }
}
