using System.Net;
using System.Net.Sockets;

namespace CiliumDocker.Ports;

/// <summary>Where a published port listens: an address of the host (unspecified = all of its family) and a port.</summary>
internal sealed record PortFrontend(PortProtocol Protocol, IPAddress Address, int Port)
{
    public bool IsWildcard => Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any);

    /// <summary>
    /// Two frontends catch the same packets when port and family match and either address is the other or the
    /// family's wildcard, which covers every address of its family. The protocol does not count: Cilium 1.10 keys a
    /// service by address and port alone, so a TCP service also takes that port's UDP, and a second service for the
    /// other protocol would be refused (after the agent had already rewritten the first).
    /// </summary>
    public bool Overlaps(PortFrontend other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Port == other.Port
            && Address.AddressFamily == other.Address.AddressFamily
            && (IsWildcard || other.IsWildcard || Address.Equals(other.Address));
    }

    public static IPAddress WildcardOf(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;

    public string AddressAndPort => Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";

    public override string ToString() => $"{AddressAndPort}/{PortNames.Of(Protocol)}";
}
