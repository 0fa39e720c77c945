using System.Net;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Hosting;

/// <summary>Everything the command line can set. Defaults match the seed's agent (10.11.0.0/16, veth, MTU 1500).</summary>
internal sealed record SimOptions
{
    public const string DefaultSocketPath = "/var/run/cilium/cilium.sock";
    public const string ControlSocketFileName = "cilium-sim-control.sock";

    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>Null means <see cref="ControlSocketFileName"/> next to <see cref="SocketPath"/>.</summary>
    public string? ControlSocketPath { get; init; }

    public Cidr? IPv4Range { get; init; } = ParseCidr("10.11.0.0/16");

    public IPAddress? RouterIPv4 { get; init; }

    public Cidr? IPv6Range { get; init; }

    public IPAddress? RouterIPv6 { get; init; }

    public TimeSpan Expiration { get; init; } = TimeSpan.FromMinutes(10);

    public int DeviceMtu { get; init; } = 1500;

    public int RouteMtu { get; init; } = 1450;

    public string DatapathMode { get; init; } = "veth";

    public long GroMaxSize { get; init; }

    public long GsoMaxSize { get; init; }

    public long GroIPv4MaxSize { get; init; }

    public long GsoIPv4MaxSize { get; init; }

    /// <summary>Report a disabled family as <c>{"enabled":false,...}</c> instead of omitting it like the agent.</summary>
    public bool ReportDisabledFamily { get; init; }

    /// <summary>Program routes, <c>cilium_host</c> and forwarding rules for endpoints (root only).</summary>
    public bool Datapath { get; init; }

    /// <summary>Network namespace (a path such as <c>/var/run/netns/NAME</c>) the datapath works in.</summary>
    public string? NetnsPath { get; init; }

    public bool Verbose { get; init; }

    /// <summary>
    /// The Cilium release whose API behaviour to follow. 1.10 is the real agent of <c>../shared/real-cilium</c>; from
    /// 1.14 the address routes need <c>pool</c>, allocations name their pool and an endpoint PUT answers the endpoint.
    /// </summary>
    public Version AgentVersion { get; init; } = new(1, 10);

    /// <summary>Multi-pool IPAM (1.14): the address routes need <c>pool</c> and allocations name their pool.</summary>
    public bool HasIpamPools => IsAtLeast114;

    /// <summary>Cilium answers an endpoint PUT with the endpoint from about 1.16; kept with the 1.14 behaviour here.</summary>
    public bool AnswersEndpointOnPut => IsAtLeast114;

    private bool IsAtLeast114 => AgentVersion >= new Version(1, 14);

    public string ResolvedControlSocketPath =>
        ControlSocketPath ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(SocketPath)) ?? "/", ControlSocketFileName);

    public IPAddress? ResolvedRouterIPv4 => IPv4Range is null ? null : RouterIPv4 ?? IPv4Range.At(UInt128.One);

    public IPAddress? ResolvedRouterIPv6 => IPv6Range is null ? null : RouterIPv6 ?? IPv6Range.At(UInt128.One);

    private static Cidr ParseCidr(string text) =>
        Cidr.TryParse(text, out var cidr) ? cidr! : throw new ArgumentException($"bad built-in CIDR {text}", nameof(text));
}
