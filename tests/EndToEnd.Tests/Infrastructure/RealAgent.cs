namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real Cilium agent of <c>../shared/real-cilium</c> (started by <c>tests/run-all.sh</c> with its
/// <c>start.sh</c>), read through its own API. The suite never starts or stops it.
/// </summary>
internal sealed class RealAgent : IAgentUnderTest
{
    private readonly HttpClient _agent = UnixSocketHttp.Client(AgentSimulator.SocketPath);

    private RealAgent()
    {
    }

    public static RealAgent Connect()
    {
        var agent = new RealAgent();
        if (!Wait.Until(() => agent._agent.TryGet("/v1/healthz"), TimeSpan.FromSeconds(30)))
        {
            agent.Dispose();
            Assert.Ignore($"E2E_AGENT=real, but no Cilium agent answers on {AgentSimulator.SocketPath} (start it with ../shared/real-cilium/start.sh)");
        }

        return agent;
    }

    public System.Text.Json.JsonElement Endpoints() => _agent.GetJson("/v1/endpoint");

    /// <summary>
    /// <c>GET /v1/healthz</c> lists the IPAM's allocations by owner. It does not say which carry a timer, so every
    /// one counts as kept: after the plugin is done with a container, the agent must hold nothing of it. The agent
    /// collects that status every few seconds, so callers wait for what they expect instead of reading it once.
    /// </summary>
    public IReadOnlyList<AgentAllocation> Allocations()
    {
        var allocations = new List<AgentAllocation>();
        if (_agent.GetJson("/v1/healthz").TryGetProperty("ipam", out var ipam) && ipam.TryGetProperty("allocations", out var byAddress)
            && byAddress.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            foreach (var allocation in byAddress.EnumerateObject())
            {
                if (allocation.Value.GetString() != "router")
                {
                    allocations.Add(new AgentAllocation(allocation.Name, Timed: false));
                }
            }
        }

        return allocations;
    }

    public void Dispose() => _agent.Dispose();
}
