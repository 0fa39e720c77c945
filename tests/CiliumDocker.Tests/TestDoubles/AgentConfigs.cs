using CiliumDocker.Agent;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>Agent configurations shaped like <c>GET /v1/config</c> status objects.</summary>
internal static class AgentConfigs
{
    public const string RouterIPv4 = "10.11.0.1";
    public const string AllocRangeIPv4 = "10.11.0.0/16";
    public const string RouterIPv6 = "fd00:11::1";
    public const string AllocRangeIPv6 = "fd00:11::/112";

    public static DaemonConfigurationStatus IPv4Only(string datapathMode = "veth") => new()
    {
        Addressing = new NodeAddressing
        {
            IPv4 = new NodeAddressingElement { Enabled = true, Ip = RouterIPv4, AllocRange = AllocRangeIPv4 },
            IPv6 = new NodeAddressingElement { Enabled = false, Ip = string.Empty, AllocRange = string.Empty },
        },
        DeviceMtu = 1500,
        RouteMtu = 1450,
        DatapathMode = datapathMode,
        GroMaxSize = 65536,
        GsoMaxSize = 65536,
    };

    public static DaemonConfigurationStatus DualStack(string datapathMode = "veth") => new()
    {
        Addressing = new NodeAddressing
        {
            IPv4 = new NodeAddressingElement { Enabled = true, Ip = RouterIPv4, AllocRange = AllocRangeIPv4 },
            IPv6 = new NodeAddressingElement { Enabled = true, Ip = RouterIPv6, AllocRange = AllocRangeIPv6 },
        },
        DeviceMtu = 1500,
        RouteMtu = 1450,
        DatapathMode = datapathMode,
    };

    /// <summary>An agent that omits the IPv6 object altogether (#10396 crashed the original on it).</summary>
    public static DaemonConfigurationStatus IPv4WithoutIPv6Object() => new()
    {
        Addressing = new NodeAddressing
        {
            IPv4 = new NodeAddressingElement { Enabled = true, Ip = RouterIPv4, AllocRange = AllocRangeIPv4 },
        },
        DatapathMode = "veth",
    };
}
