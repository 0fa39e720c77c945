using System.Net;
using System.Text.Json;
using CiliumDocker.Infrastructure;
using CiliumDocker.Ports;

namespace CiliumDocker.Protocol;

/// <summary>
/// Docker's <c>com.docker.network.portmap</c> option: libnetwork's <c>[]types.PortBinding</c>, one entry per
/// <c>-p</c> port, <c>{"Proto":6,"IP":"","Port":80,"HostIP":"","HostPort":8080,"HostPortEnd":8080}</c>.
/// </summary>
internal static class PortMapOption
{
    public const string Key = "com.docker.network.portmap";

    private const int Tcp = 6;
    private const int Udp = 17;
    private const int Sctp = 132;

    public static IReadOnlyList<PortMapping> Read(Dictionary<string, JsonElement>? options)
    {
        if (options is null || !options.TryGetValue(Key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new RequestRefusedException($"option {Key} is not a list of port bindings: {value.GetRawText()}");
        }

        var mappings = new List<PortMapping>();
        foreach (var binding in value.EnumerateArray())
        {
            mappings.Add(ReadBinding(binding));
        }

        return mappings;
    }

    private static PortMapping ReadBinding(JsonElement binding)
    {
        if (binding.ValueKind != JsonValueKind.Object)
        {
            throw Bad(binding, "is not an object");
        }

        var protocol = Number(binding, "Proto", 0, 255) switch
        {
            Tcp => PortProtocol.Tcp,
            Udp => PortProtocol.Udp,
            Sctp => throw Bad(binding, "is SCTP, which Cilium's load balancer does not translate; publish it on a bridge network instead"),
            var other => throw Bad(binding, $"has IP protocol {other}; only TCP (6) and UDP (17) can be published"),
        };
        var port = Number(binding, "Port", 1, 65535);
        var hostPort = Number(binding, "HostPort", 0, 65535);
        var hostPortEnd = Number(binding, "HostPortEnd", 0, 65535);
        if (hostPortEnd != 0 && hostPortEnd < hostPort)
        {
            throw Bad(binding, $"has HostPortEnd {hostPortEnd} below HostPort {hostPort}");
        }

        var hostIPText = binding.TryGetProperty("HostIP", out var ipElement) && ipElement.ValueKind == JsonValueKind.String ? ipElement.GetString() : null;
        IPAddress? hostIP = null;
        if (!string.IsNullOrEmpty(hostIPText) && !IPAddress.TryParse(hostIPText, out hostIP))
        {
            throw Bad(binding, $"has HostIP \"{hostIPText}\", which is not an IP address");
        }

        if (hostIP is not null && hostIP.IsIPv4MappedToIPv6)
        {
            hostIP = hostIP.MapToIPv4();
        }

        return new PortMapping(protocol, port, hostIP, hostPort, hostPortEnd);
    }

    private static int Number(JsonElement binding, string name, int min, int max)
    {
        if (!binding.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return min == 1 ? throw Bad(binding, $"has no {name}") : 0;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var number) || number < min || number > max)
        {
            throw Bad(binding, $"has {name} {element.GetRawText()}, which is not a number from {min} to {max}");
        }

        return number;
    }

    private static RequestRefusedException Bad(JsonElement binding, string what) =>
        new($"port binding {binding.GetRawText()} in option {Key} {what}");
}
