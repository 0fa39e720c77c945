using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CiliumAgentSim.Datapath;

/// <summary>
/// Service translation with iptables nat instead of Cilium's BPF load balancer:
/// <list type="bullet">
/// <item><c>CILIUM_SIM_SVC</c>, jumped from PREROUTING (traffic from outside) and OUTPUT (from the host itself),
/// sends a frontend's traffic to the service's own chain <c>CILIUM_SIM_SVC_{id}</c>, which DNATs TCP and UDP to a
/// backend (the 1.10 agent ignores the frontend's protocol, so both are translated);</item>
/// <item>an unspecified frontend IP matches every local address (<c>addrtype LOCAL</c>), a specific one only itself;</item>
/// <item>for <c>127.0.0.1</c>, <c>route_localnet</c> lets the kernel route a loopback-sourced packet to an endpoint
/// and <c>CILIUM_SIM_SVC_POST</c> rewrites its source to the router IP so the reply comes back (IPv6 has no such
/// switch: <c>::1</c> is not translated).</item>
/// </list>
/// Everything is removed on <see cref="StopAsync"/>, and <c>route_localnet</c> gets its old value back. Not thread-safe:
/// the agent's service changes reach it one at a time (<c>StateHolder.ServiceChanges</c>).
/// </summary>
internal sealed class ServiceNat(ICommandRunner runner, ILogger logger) : IServiceDatapath
{
    public const string ServicesChain = "CILIUM_SIM_SVC";
    public const string PostroutingChain = "CILIUM_SIM_SVC_POST";
    public const string RouteLocalnet = "net.ipv4.conf.all.route_localnet";

    private static readonly string[] HookChains = ["PREROUTING", "OUTPUT"];
    private static readonly string[] Protocols = ["tcp", "udp"];

    private readonly Dictionary<uint, Installed> _installed = [];
    private readonly List<string> _tools = [];
    private string? _savedRouteLocalnet;

    public static string ChainOf(uint id) => string.Create(CultureInfo.InvariantCulture, $"{ServicesChain}_{id}");

    public async Task StartAsync(IPAddress? routerIPv4, IPAddress? routerIPv6, CancellationToken cancellationToken)
    {
        if (routerIPv4 is not null)
        {
            await InstallBaseAsync("iptables", cancellationToken);
            await RunAsync("iptables", ["-t", "nat", "-A", PostroutingChain, "-s", "127.0.0.0/8", "-o", "lxc+", "-m", "conntrack", "--ctstate", "DNAT",
                "-j", "SNAT", "--to-source", routerIPv4.ToString()], true, cancellationToken);
        }

        if (routerIPv6 is not null)
        {
            await InstallBaseAsync("ip6tables", cancellationToken);
        }
    }

    public async Task ApplyAsync(DatapathService service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        var v6 = service.FrontendIp.AddressFamily == AddressFamily.InterNetworkV6;
        var tool = v6 ? "ip6tables" : "iptables";
        if (!_tools.Contains(tool))
        {
            throw new DatapathException($"{(v6 ? "IPv6" : "IPv4")} is not enabled in the datapath: no {tool} chains for service {service.Id}");
        }

        await RemoveInstalledAsync(service.Id, cancellationToken);
        if (!v6 && _savedRouteLocalnet is null)
        {
            await EnableRouteLocalnetAsync(cancellationToken);
        }

        var chain = ChainOf(service.Id);
        await RunAsync(tool, ["-t", "nat", "-N", chain], true, cancellationToken);
        _installed[service.Id] = new Installed(tool, []);
        foreach (var protocol in Protocols)
        {
            for (var i = 0; i < service.Backends.Count; i++)
            {
                await RunAsync(tool, [.. DnatRule(chain, protocol, service, i)], true, cancellationToken);
            }
        }

        var jump = JumpMatch(service);
        await RunAsync(tool, ["-t", "nat", "-A", ServicesChain, .. jump, "-j", chain], true, cancellationToken);
        _installed[service.Id] = new Installed(tool, jump);
    }

    public Task RemoveAsync(uint id, CancellationToken cancellationToken) => RemoveInstalledAsync(id, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _installed.Keys.ToList())
        {
            await RemoveInstalledAsync(id, cancellationToken);
        }

        foreach (var tool in _tools)
        {
            await RemoveBaseAsync(tool, cancellationToken);
        }

        _tools.Clear();
        if (_savedRouteLocalnet is { } saved)
        {
            await RunAsync("sysctl", ["-qw", $"{RouteLocalnet}={saved}"], false, cancellationToken);
            _savedRouteLocalnet = null;
        }
    }

    private static List<string> DnatRule(string chain, string protocol, DatapathService service, int index)
    {
        List<string> rule = ["-t", "nat", "-A", chain, "-p", protocol, "--dport", Port(service.FrontendPort)];
        var remaining = service.Backends.Count - index;
        if (remaining > 1)
        {
            // Each rule takes its share of what the rules before it left: an even spread over the backends.
            rule.AddRange(["-m", "statistic", "--mode", "random", "--probability", (1.0 / remaining).ToString("0.#####", CultureInfo.InvariantCulture)]);
        }

        var backend = service.Backends[index];
        var target = backend.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{backend.Address}]:{Port(backend.Port)}" : $"{backend.Address}:{Port(backend.Port)}";
        rule.AddRange(["-j", "DNAT", "--to-destination", target]);
        return rule;
    }

    private static string[] JumpMatch(DatapathService service)
    {
        var ip = service.FrontendIp;
        var any = ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any);
        string[] destination = any
            ? ["-m", "addrtype", "--dst-type", "LOCAL"]
            : ["-d", $"{ip}/{(ip.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)}"];
        return [.. destination, "-m", "comment", "--comment", string.Create(CultureInfo.InvariantCulture, $"cilium-agent-sim service {service.Id}")];
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task RemoveInstalledAsync(uint id, CancellationToken cancellationToken)
    {
        if (!_installed.Remove(id, out var installed))
        {
            return;
        }

        var chain = ChainOf(id);
        if (installed.Jump.Length > 0)
        {
            await RunAsync(installed.Tool, ["-t", "nat", "-D", ServicesChain, .. installed.Jump, "-j", chain], false, cancellationToken);
        }

        await RunAsync(installed.Tool, ["-t", "nat", "-F", chain], false, cancellationToken);
        await RunAsync(installed.Tool, ["-t", "nat", "-X", chain], false, cancellationToken);
    }

    private async Task InstallBaseAsync(string tool, CancellationToken cancellationToken)
    {
        // A crashed predecessor may have left its chains behind.
        await RemoveBaseAsync(tool, cancellationToken);
        await RunAsync(tool, ["-t", "nat", "-N", ServicesChain], true, cancellationToken);
        await RunAsync(tool, ["-t", "nat", "-N", PostroutingChain], true, cancellationToken);
        foreach (var hook in HookChains)
        {
            await RunAsync(tool, ["-t", "nat", "-I", hook, "1", "-j", ServicesChain], true, cancellationToken);
        }

        await RunAsync(tool, ["-t", "nat", "-I", "POSTROUTING", "1", "-j", PostroutingChain], true, cancellationToken);
        _tools.Add(tool);
    }

    private async Task RemoveBaseAsync(string tool, CancellationToken cancellationToken)
    {
        foreach (var hook in HookChains)
        {
            await RemoveJumpsAsync(tool, hook, ServicesChain, cancellationToken);
        }

        await RemoveJumpsAsync(tool, "POSTROUTING", PostroutingChain, cancellationToken);
        var listing = await RunAsync(tool, ["-t", "nat", "-S"], false, cancellationToken);
        var leftovers = listing.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith($"-N {ServicesChain}_", StringComparison.Ordinal) && !line.EndsWith(PostroutingChain, StringComparison.Ordinal))
            .Select(line => line[3..]);
        foreach (var chain in new[] { ServicesChain, PostroutingChain }.Concat(leftovers).ToList())
        {
            await RunAsync(tool, ["-t", "nat", "-F", chain], false, cancellationToken);
        }

        foreach (var chain in leftovers.Concat([ServicesChain, PostroutingChain]).ToList())
        {
            await RunAsync(tool, ["-t", "nat", "-X", chain], false, cancellationToken);
        }
    }

    private async Task RemoveJumpsAsync(string tool, string hook, string chain, CancellationToken cancellationToken)
    {
        // Bounded: a jump left by each crashed predecessor, not an endless loop if -D misbehaves.
        for (var i = 0; i < 16; i++)
        {
            if (!(await RunAsync(tool, ["-t", "nat", "-D", hook, "-j", chain], false, cancellationToken)).Succeeded)
            {
                return;
            }
        }
    }

    private async Task EnableRouteLocalnetAsync(CancellationToken cancellationToken)
    {
        var current = await RunAsync("sysctl", ["-n", RouteLocalnet], true, cancellationToken);
        _savedRouteLocalnet = current.Output.Trim() is { Length: > 0 } value ? value : "0";
        await RunAsync("sysctl", ["-qw", $"{RouteLocalnet}=1"], true, cancellationToken);
    }

    private Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, bool mustSucceed, CancellationToken cancellationToken) =>
        runner.RunLoggedAsync(logger, tool, arguments, mustSucceed, cancellationToken);

    /// <summary>What was installed for one service: enough to delete its jump rule by specification.</summary>
    private sealed record Installed(string Tool, string[] Jump);
}
