using System.Globalization;
using System.Net;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Hosting;

/// <summary>Outcome of parsing the command line: options to run with, help to print, or an error.</summary>
internal sealed record ParsedCommandLine(SimOptions? Options, bool HelpRequested, string? Error);

/// <summary>Parses <c>--flag value</c> and <c>--flag=value</c>; every bad value gets a message naming the flag.</summary>
internal static class SimOptionsParser
{
    public const string Usage = """
        cilium-agent-sim: a test double of the Cilium agent REST API (/v1) on a Unix socket.

        Usage: cilium-agent-sim [flags]

          --socket PATH            agent API socket (default /var/run/cilium/cilium.sock; directory created)
          --control-socket PATH    control API socket (default: cilium-sim-control.sock next to --socket)
          --ipv4-range CIDR        IPv4 allocation range (default 10.11.0.0/16)
          --router-ipv4 IP         router (cilium_host) IPv4 (default: first host of --ipv4-range)
          --disable-ipv4           no IPv4 addressing
          --ipv6-range CIDR        IPv6 allocation range, e.g. f00d::a0b:0:0:0/96 (default: IPv6 disabled)
          --router-ipv6 IP         router IPv6 (default: first host of --ipv6-range)
          --report-disabled-family report a disabled family as {"enabled":false} instead of omitting it
          --expiration SECONDS     lifetime of an address allocated with 'expiration: true' (default 600)
          --device-mtu N           deviceMTU in /v1/config (default 1500)
          --route-mtu N            routeMTU in /v1/config (default 1450)
          --datapath-mode MODE     datapathMode in /v1/config: veth, netkit, netkit-l2, ipvlan (default veth)
          --gro-max-size N         GROMaxSize (default 0 = omitted)
          --gso-max-size N         GSOMaxSize (default 0 = omitted)
          --gro-ipv4-max-size N    GROIPv4MaxSize (default 0 = omitted)
          --gso-ipv4-max-size N    GSOIPv4MaxSize (default 0 = omitted)
          --datapath               route endpoint addresses to their host interfaces (root only; needs ip, iptables)
          --agent-version V        follow Cilium release V's API (default 1.10; 1.14 adds the pool query, pool names, PUT bodies)
          --netns PATH             do the datapath work in this network namespace (e.g. /var/run/netns/NAME)
          -v, --verbose            log every agent request and datapath command
          -h, --help               show this help
        """;

    private static readonly string[] DatapathModes = ["veth", "netkit", "netkit-l2", "ipvlan"];

    private static Version ParseAgentVersion(string flag, string text) =>
        Version.TryParse(text, out var version) && version.Major == 1 && version.Minor >= 10
            ? new Version(version.Major, version.Minor)
            : throw new FormatException($"{flag} {text}: expected a Cilium release from 1.10 on, such as 1.10 or 1.14");

    public static ParsedCommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SimOptions();
        var disableIPv4 = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inline = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{arg} needs a value");
                }

                return args[++i];
            }

            try
            {
                switch (arg)
                {
                    case "-h" or "--help":
                        return new ParsedCommandLine(null, true, null);
                    case "-v" or "--verbose":
                        options = options with { Verbose = true };
                        break;
                    case "--socket":
                        options = options with { SocketPath = NonEmpty(arg, Value()) };
                        break;
                    case "--control-socket":
                        options = options with { ControlSocketPath = NonEmpty(arg, Value()) };
                        break;
                    case "--ipv4-range":
                        options = options with { IPv4Range = ParseRange(arg, Value(), IpFamily.IPv4) };
                        break;
                    case "--router-ipv4":
                        options = options with { RouterIPv4 = ParseIp(arg, Value(), IpFamily.IPv4) };
                        break;
                    case "--disable-ipv4":
                        disableIPv4 = true;
                        break;
                    case "--ipv6-range":
                        options = options with { IPv6Range = ParseRange(arg, Value(), IpFamily.IPv6) };
                        break;
                    case "--router-ipv6":
                        options = options with { RouterIPv6 = ParseIp(arg, Value(), IpFamily.IPv6) };
                        break;
                    case "--report-disabled-family":
                        options = options with { ReportDisabledFamily = true };
                        break;
                    case "--expiration":
                        options = options with { Expiration = ParseSeconds(arg, Value()) };
                        break;
                    case "--device-mtu":
                        options = options with { DeviceMtu = (int)ParseNumber(arg, Value(), 68, 65535) };
                        break;
                    case "--route-mtu":
                        options = options with { RouteMtu = (int)ParseNumber(arg, Value(), 68, 65535) };
                        break;
                    case "--datapath-mode":
                        options = options with { DatapathMode = ParseMode(arg, Value()) };
                        break;
                    case "--gro-max-size":
                        options = options with { GroMaxSize = ParseNumber(arg, Value(), 0, int.MaxValue) };
                        break;
                    case "--gso-max-size":
                        options = options with { GsoMaxSize = ParseNumber(arg, Value(), 0, int.MaxValue) };
                        break;
                    case "--gro-ipv4-max-size":
                        options = options with { GroIPv4MaxSize = ParseNumber(arg, Value(), 0, int.MaxValue) };
                        break;
                    case "--gso-ipv4-max-size":
                        options = options with { GsoIPv4MaxSize = ParseNumber(arg, Value(), 0, int.MaxValue) };
                        break;
                    case "--datapath":
                        options = options with { Datapath = true };
                        break;
                    case "--agent-version":
                        options = options with { AgentVersion = ParseAgentVersion(arg, Value()) };
                        break;
                    case "--netns":
                        options = options with { NetnsPath = NonEmpty(arg, Value()) };
                        break;
                    default:
                        throw new FormatException($"unknown flag {arg} (see --help)");
                }
            }
            catch (FormatException ex)
            {
                return new ParsedCommandLine(null, false, ex.Message);
            }
        }

        if (disableIPv4)
        {
            options = options with { IPv4Range = null, RouterIPv4 = null };
        }

        var error = Validate(options, disableIPv4);
        return error is null ? new ParsedCommandLine(options, false, null) : new ParsedCommandLine(null, false, error);
    }

    private static string? Validate(SimOptions options, bool disableIPv4)
    {
        if (options.IPv4Range is null && options.IPv6Range is null)
        {
            return "--disable-ipv4 needs --ipv6-range: the agent must have at least one address family";
        }

        if (disableIPv4 && options.RouterIPv4 is not null)
        {
            return "--router-ipv4 makes no sense with --disable-ipv4";
        }

        if (options.RouterIPv6 is not null && options.IPv6Range is null)
        {
            return "--router-ipv6 needs --ipv6-range";
        }

        if (options.NetnsPath is not null && !options.Datapath)
        {
            return "--netns only applies together with --datapath";
        }

        if (options.NetnsPath is { } netns && !File.Exists(netns))
        {
            return $"--netns {netns}: no such network namespace file";
        }

        return null;
    }

    private static string NonEmpty(string flag, string value) =>
        value.Length > 0 ? value : throw new FormatException($"{flag} must not be empty");

    private static Cidr ParseRange(string flag, string value, IpFamily family)
    {
        if (!Cidr.TryParse(value, out var cidr) || cidr!.Family != family)
        {
            throw new FormatException($"{flag} {value}: not an {family.Name()} CIDR such as {(family == IpFamily.IPv4 ? "10.11.0.0/16" : "f00d::a0b:0:0:0/96")}");
        }

        if (cidr.AddressBits - cidr.PrefixLength < 2)
        {
            throw new FormatException($"{flag} {value}: too small, a range needs room for the router and endpoints (at most /{cidr.AddressBits - 2})");
        }

        return cidr;
    }

    private static IPAddress ParseIp(string flag, string value, IpFamily family) =>
        IpText.TryParse(value, out var ip) && IpFamilyNames.Of(ip) == family
            ? ip
            : throw new FormatException($"{flag} {value}: not an {family.Name()} address");

    private static TimeSpan ParseSeconds(string flag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 31_536_000
            ? TimeSpan.FromSeconds(seconds)
            : throw new FormatException($"{flag} {value}: not a number of seconds greater than 0");

    private static long ParseNumber(string flag, string value, long min, long max) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new FormatException($"{flag} {value}: not a whole number between {min} and {max}");

    private static string ParseMode(string flag, string value) =>
        DatapathModes.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new FormatException($"{flag} {value}: not one of {string.Join(", ", DatapathModes)}");
}
