using CiliumAgentSim.Hosting;
using CiliumAgentSim.Model;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Api;

/// <summary><c>GET /v1/healthz</c> and <c>GET /v1/config</c>.</summary>
internal sealed class DaemonHandlers(SimOptions options, StateHolder state)
{
    public Task GetHealthzAsync(HttpContext context)
    {
        var brief = bool.TryParse(context.Request.Headers["brief"], out var b) && b;
        var ok = new SubsystemStatus { State = "Ok", Msg = "cilium-agent-sim" };
        var response = brief
            ? new StatusResponse { Cilium = ok }
            : new StatusResponse
            {
                Cilium = ok,
                Kvstore = new SubsystemStatus { State = "Disabled" },
                ContainerRuntime = new SubsystemStatus { State = "Disabled" },
                Ipam = IpamStatusOf(state.Current.Dump()),
            };
        return AgentResponses.WriteJsonAsync(context, 200, response, SimJson.Wire.StatusResponse);
    }

    public Task GetConfigAsync(HttpContext context)
    {
        var configuration = new DaemonConfiguration
        {
            Spec = new DaemonConfigurationSpec(),
            Status = new DaemonConfigurationStatus
            {
                Addressing = state.Current.NodeAddressing(),
                DeviceMtu = options.DeviceMtu,
                RouteMtu = options.RouteMtu,
                DatapathMode = options.DatapathMode,
                IpamMode = "cluster-pool",
                Masquerade = true,
                GroMaxSize = options.GroMaxSize,
                GsoMaxSize = options.GsoMaxSize,
                GroIPv4MaxSize = options.GroIPv4MaxSize,
                GsoIPv4MaxSize = options.GsoIPv4MaxSize,
            },
        };
        return AgentResponses.WriteJsonAsync(context, 200, configuration, SimJson.Wire.DaemonConfiguration);
    }

    private IpamStatus IpamStatusOf(StateDump dump)
    {
        var owners = dump.Addresses.ToDictionary(a => a.Ip, a => a.Owner, StringComparer.Ordinal);
        if (dump.RouterIPv4 is { } r4)
        {
            owners[r4] = "router";
        }

        if (dump.RouterIPv6 is { } r6)
        {
            owners[r6] = "router";
        }

        return new IpamStatus
        {
            Allocations = owners,
            IPv4 = options.IPv4Range is null ? null : [.. owners.Keys.Where(ip => !ip.Contains(':', StringComparison.Ordinal))],
            IPv6 = options.IPv6Range is null ? null : [.. owners.Keys.Where(ip => ip.Contains(':', StringComparison.Ordinal))],
        };
    }
}
