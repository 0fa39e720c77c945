using System.Net;
using CiliumAgentSim.Hosting;
using CiliumAgentSim.Model;

namespace CiliumAgentSim.State;

/// <summary>
/// The agent's memory: IPAM allocations with their expiration timers, endpoints and label identities.
/// One lock guards everything; every public member is atomic with respect to the others.
/// </summary>
internal sealed partial class AgentState : IDisposable
{
    public const string DefaultPool = "default";

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _expiration;
    private readonly AddressPool? _ipv4;
    private readonly AddressPool? _ipv6;
    private readonly bool _reportDisabledFamily;
    private readonly bool _hasIpamPools;
    private readonly Dictionary<IPAddress, Allocation> _allocations = [];
    private bool _disposed;

    public AgentState(SimOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _expiration = options.Expiration;
        _reportDisabledFamily = options.ReportDisabledFamily;
        _hasIpamPools = options.HasIpamPools;
        if (options.IPv4Range is { } v4)
        {
            _ipv4 = new AddressPool(v4, options.ResolvedRouterIPv4!);
        }

        if (options.IPv6Range is { } v6)
        {
            _ipv6 = new AddressPool(v6, options.ResolvedRouterIPv6!);
        }
    }

    public IPAddress? RouterIPv4 => _ipv4?.Router;

    public IPAddress? RouterIPv6 => _ipv6?.Router;

    /// <summary>The node addressing the agent reports in <c>/v1/config</c> and every IPAM answer.</summary>
    public NodeAddressing NodeAddressing() => new()
    {
        IPv4 = Element(_ipv4),
        IPv6 = Element(_ipv6),
    };

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var allocation in _allocations.Values)
            {
                allocation.StopExpiration();
            }
        }
    }

    private NodeAddressingElement? Element(AddressPool? pool) => pool is null
        ? _reportDisabledFamily ? new NodeAddressingElement() : null
        : new NodeAddressingElement { Enabled = true, Ip = pool.Router.ToString(), AllocRange = pool.Range.ToString() };

    private AddressPool? PoolFor(IpFamily family) => family == IpFamily.IPv4 ? _ipv4 : _ipv6;
}
