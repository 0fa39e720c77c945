using System.Net;
using System.Text.Json.Serialization;

namespace CiliumDocker.Ports;

[JsonConverter(typeof(JsonStringEnumConverter<PortProtocol>))]
internal enum PortProtocol
{
    Tcp,
    Udp,
}

/// <summary>
/// One published port as Docker asked for it: container port <paramref name="ContainerPort"/> on host port
/// <paramref name="HostPort"/>, or the first free one up to <paramref name="HostPortEnd"/>, or any free one when
/// <paramref name="HostPort"/> is 0. <paramref name="HostIP"/> null means every host address of the container's
/// families; an unspecified address (0.0.0.0, ::) means every host address of that family.
/// </summary>
internal sealed record PortMapping(PortProtocol Protocol, int ContainerPort, IPAddress? HostIP, int HostPort, int HostPortEnd)
{
    /// <summary>How Docker would print it, e.g. <c>127.0.0.1:8080-8090:80/tcp</c>: the words of every error.</summary>
    public override string ToString()
    {
        var host = HostPort == 0 ? string.Empty : HostPortEnd > HostPort ? $"{HostPort}-{HostPortEnd}" : $"{HostPort}";
        var ip = HostIP is null ? string.Empty : HostIP.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{HostIP}]:" : $"{HostIP}:";
        return $"{ip}{host}:{ContainerPort}/{PortNames.Of(Protocol)}";
    }
}

internal static class PortNames
{
    public static string Of(PortProtocol protocol) => protocol == PortProtocol.Tcp ? "tcp" : "udp";
}
