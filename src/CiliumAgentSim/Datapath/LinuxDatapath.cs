using System.Net;

namespace CiliumAgentSim.Datapath;

/// <summary>
/// Same-node forwarding the way Cilium's datapath gives it, built from kernel routing instead of eBPF:
/// <list type="bullet">
/// <item><c>cilium_host</c> (a veth pair with <c>cilium_net</c>, as in the agent) holds the router IPs, so the kernel
/// answers a container's ARP for its gateway (IPv6: proxy NDP on the endpoint interface);</item>
/// <item>a /32 (/128) host route per endpoint address via its <c>lxc…</c> interface, with rp_filter off;</item>
/// <item>a <c>CILIUM_SIM_FWD</c> chain jumped from FORWARD position 1 accepts <c>lxc+</c> traffic even when
/// dockerd has set the FORWARD policy to DROP;</item>
/// <item>services of host-port types as nat rules (<see cref="ServiceNat"/>).</item>
/// </list>
/// Everything is undone on detach and on stop.
/// </summary>
internal sealed class LinuxDatapath(ICommandRunner runner, ILogger logger) : IEndpointDatapath
{
    public const string HostInterface = "cilium_host";
    public const string HostPeerInterface = "cilium_net";
    public const string ForwardChain = "CILIUM_SIM_FWD";

    private readonly ServiceNat _services = new(runner, logger);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DatapathEndpoint> _attached = new(StringComparer.Ordinal);
    private IPAddress? _routerIPv4;
    private IPAddress? _routerIPv6;
    private bool _started;

    public IServiceDatapath Services => _services;

    public async Task StartAsync(IPAddress? routerIPv4, IPAddress? routerIPv6, CancellationToken cancellationToken)
    {
        RequireTool("ip", "iproute2");
        RequireTool("sysctl", "procps");
        RequireTool("iptables", "iptables");
        if (routerIPv6 is not null)
        {
            RequireTool("ip6tables", "iptables");
        }

        _routerIPv4 = routerIPv4;
        _routerIPv6 = routerIPv6;
        _started = true;

        // A crashed predecessor may have left its cilium_host behind.
        await RunAsync("ip", ["link", "del", HostInterface], mustSucceed: false, cancellationToken);
        await RunAsync("ip", ["link", "add", "name", HostInterface, "type", "veth", "peer", "name", HostPeerInterface], true, cancellationToken);
        await RunAsync("ip", ["link", "set", HostPeerInterface, "up"], true, cancellationToken);
        await RunAsync("ip", ["link", "set", HostInterface, "up"], true, cancellationToken);
        if (routerIPv4 is not null)
        {
            await RunAsync("ip", ["addr", "add", $"{routerIPv4}/32", "dev", HostInterface], true, cancellationToken);
            await RunAsync("sysctl", ["-qw", "net/ipv4/ip_forward=1"], true, cancellationToken);
            await InstallForwardChainAsync("iptables", cancellationToken);
        }

        if (routerIPv6 is not null)
        {
            await RunAsync("ip", ["-6", "addr", "add", $"{routerIPv6}/128", "dev", HostInterface, "nodad"], true, cancellationToken);
            await RunAsync("sysctl", ["-qw", "net/ipv6/conf/all/forwarding=1"], true, cancellationToken);
            await InstallForwardChainAsync("ip6tables", cancellationToken);
        }

        await _services.StartAsync(routerIPv4, routerIPv6, cancellationToken);
    }

    public async Task AttachAsync(DatapathEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var name = endpoint.InterfaceName;
        var link = await RunAsync("ip", ["link", "show", "dev", name], mustSucceed: false, cancellationToken);
        if (!link.Succeeded)
        {
            throw new DatapathException($"host interface {name} of the endpoint does not exist: {link.Error}");
        }

        lock (_gate)
        {
            _attached[name] = endpoint;
        }

        if (endpoint.IPv4 is { } v4)
        {
            await RunAsync("sysctl", ["-qw", $"net/ipv4/conf/{name}/rp_filter=0"], true, cancellationToken);
            await RunAsync("ip", ["route", "replace", $"{v4}/32", "dev", name], true, cancellationToken);
        }

        if (endpoint.IPv6 is { } v6 && _routerIPv6 is { } router6)
        {
            await RunAsync("sysctl", ["-qw", $"net/ipv6/conf/{name}/proxy_ndp=1"], true, cancellationToken);
            await RunAsync("ip", ["-6", "neigh", "replace", "proxy", router6.ToString(), "dev", name], true, cancellationToken);
            await RunAsync("ip", ["-6", "route", "replace", $"{v6}/128", "dev", name], true, cancellationToken);
        }
    }

    public async Task DetachAsync(DatapathEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        lock (_gate)
        {
            _attached.Remove(endpoint.InterfaceName);
        }

        if (endpoint.IPv4 is { } v4)
        {
            await RunAsync("ip", ["route", "del", $"{v4}/32", "dev", endpoint.InterfaceName], mustSucceed: false, cancellationToken);
        }

        if (endpoint.IPv6 is { } v6)
        {
            await RunAsync("ip", ["-6", "route", "del", $"{v6}/128", "dev", endpoint.InterfaceName], mustSucceed: false, cancellationToken);
            if (_routerIPv6 is { } router6)
            {
                await RunAsync("ip", ["-6", "neigh", "del", "proxy", router6.ToString(), "dev", endpoint.InterfaceName], mustSucceed: false, cancellationToken);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return;
        }

        List<DatapathEndpoint> attached;
        lock (_gate)
        {
            attached = [.. _attached.Values];
        }

        await _services.StopAsync(cancellationToken);
        foreach (var endpoint in attached)
        {
            await DetachAsync(endpoint, cancellationToken);
        }

        if (_routerIPv4 is not null)
        {
            await RemoveForwardChainAsync("iptables", cancellationToken);
        }

        if (_routerIPv6 is not null)
        {
            await RemoveForwardChainAsync("ip6tables", cancellationToken);
        }

        await RunAsync("ip", ["link", "del", HostInterface], mustSucceed: false, cancellationToken);
        _started = false;
    }

    private async Task InstallForwardChainAsync(string tool, CancellationToken cancellationToken)
    {
        await RunAsync(tool, ["-N", ForwardChain], mustSucceed: false, cancellationToken);
        await RunAsync(tool, ["-F", ForwardChain], true, cancellationToken);
        await RunAsync(tool, ["-A", ForwardChain, "-i", "lxc+", "-j", "ACCEPT"], true, cancellationToken);
        await RunAsync(tool, ["-A", ForwardChain, "-o", "lxc+", "-j", "ACCEPT"], true, cancellationToken);
        await RemoveJumpsAsync(tool, cancellationToken);
        await RunAsync(tool, ["-I", "FORWARD", "1", "-j", ForwardChain], true, cancellationToken);
    }

    private async Task RemoveForwardChainAsync(string tool, CancellationToken cancellationToken)
    {
        await RemoveJumpsAsync(tool, cancellationToken);
        await RunAsync(tool, ["-F", ForwardChain], mustSucceed: false, cancellationToken);
        await RunAsync(tool, ["-X", ForwardChain], mustSucceed: false, cancellationToken);
    }

    private async Task RemoveJumpsAsync(string tool, CancellationToken cancellationToken)
    {
        // Bounded: a jump left by each crashed predecessor, not an endless loop if -D misbehaves.
        for (var i = 0; i < 16; i++)
        {
            var removed = await RunAsync(tool, ["-D", "FORWARD", "-j", ForwardChain], mustSucceed: false, cancellationToken);
            if (!removed.Succeeded)
            {
                return;
            }
        }
    }

    private void RequireTool(string tool, string package)
    {
        if (!runner.Exists(tool))
        {
            throw new DatapathException($"datapath mode needs the '{tool}' command, which is not installed (apt-get install {package})");
        }
    }

    private Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, bool mustSucceed, CancellationToken cancellationToken) =>
        runner.RunLoggedAsync(logger, tool, arguments, mustSucceed, cancellationToken);
}
