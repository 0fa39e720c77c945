using System.Globalization;
using System.Net;

namespace CiliumAgentSim.State;

/// <summary>Lookup scope of a frontend; the numbers are the agent's (they appear in its error texts).</summary>
internal enum ServiceScope : byte
{
    External = 0,
    Internal = 1,
}

/// <summary>
/// A frontend as the agent's <c>L3n4Addr</c> holds it. Equality (<see cref="Key"/>) leaves the protocol out, as the
/// 1.10 agent's service hash does: TCP and UDP on one address and port are the same service.
/// </summary>
internal sealed record ServiceFrontend(IPAddress Ip, ushort Port, string Protocol, ServiceScope Scope)
{
    public const string ProtocolNone = "NONE";

    public (IPAddress Ip, ushort Port, ServiceScope Scope) Key => (Ip, Port, Scope);

    public bool IsIPv6 => Ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    /// <summary>Go's <c>L3n4Addr.String()</c>: <c>10.0.0.1:80</c>, <c>[::]:80</c>, with <c>/i</c> for internal scope.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(IsIPv6 ? $"[{Ip}]" : Ip.ToString())}:{Port}{(Scope == ServiceScope.Internal ? "/i" : "")}");

    /// <summary>Go's <c>%v</c> of an <c>L3n4AddrID</c>, which the agent puts into some error texts.</summary>
    public string GoValue(uint id) =>
        string.Create(CultureInfo.InvariantCulture, $"{{{{{Ip} {{{Protocol} {Port}}} {(byte)Scope}}} {id}}}");
}

/// <summary>A backend with the id the agent's backend allocator gave it (shared by every service using it).</summary>
internal sealed record ServiceBackend(IPAddress Ip, ushort Port, string NodeName)
{
    public ushort Id { get; set; }

    public (IPAddress Ip, ushort Port) Key => (Ip, Port);
}

internal static class ServiceIp
{
    /// <summary>Go's <c>net.ParseIP</c>, and an IPv4-mapped IPv6 address is IPv4 as in Go's <c>To4()</c>.</summary>
    public static bool TryParse(string? text, out IPAddress address)
    {
        if (!IpText.TryParse(text, out address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return true;
    }
}
