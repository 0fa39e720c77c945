namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real Cilium agent of <c>../shared/real-cilium</c> (started by <c>tests/run-all.sh</c> with its
/// <c>start.sh</c>), read through its own API. The suite does not start it; <see cref="Restart"/> restarts it.
/// </summary>
internal sealed class RealAgent : IAgentUnderTest
{
    private readonly HttpClient _agent = UnixHttp.CreateClient(AgentSimulator.SocketPath, TimeSpan.FromSeconds(30));

    private RealAgent()
    {
    }

    public static RealAgent Connect()
    {
        var agent = new RealAgent();
        if (!Eventually.Until(() => agent._agent.TryGet("/v1/healthz"), TimeSpan.FromSeconds(30)))
        {
            agent.Dispose();
            Assert.Ignore($"E2E_AGENT=real, but no Cilium agent answers on {AgentSimulator.SocketPath} (start it with ../shared/real-cilium/start.sh)");
        }

        return agent;
    }

    public System.Text.Json.JsonElement Endpoints() => _agent.GetJson("/v1/endpoint");

    public System.Text.Json.JsonElement Services() => _agent.GetJson("/v1/service");

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

    /// <summary>
    /// SIGTERM to the agent <c>start.sh</c> started (its PID file), then <c>start.sh</c> again, which starts only the
    /// agent; it restores its endpoints from its state directory, as after any agent restart.
    /// </summary>
    public void Restart()
    {
        var workDirectory = Environment.GetEnvironmentVariable("REAL_CILIUM_DIR") is { Length: > 0 } dir ? dir : "/var/lib/real-cilium";
        var home = Environment.GetEnvironmentVariable("REAL_CILIUM_HOME") is { Length: > 0 } h ? h : Path.Combine(RepositoryPaths.Root, "..", "shared", "real-cilium");
        var pid = File.ReadAllText(Path.Combine(workDirectory, "agent.pid")).Trim();
        Shell.MustRun("kill", "-TERM", pid);
        if (!Eventually.Until(() => !Directory.Exists("/proc/" + pid), TimeSpan.FromSeconds(60)))
        {
            throw new InvalidOperationException($"the real agent (pid {pid}) did not exit within 60 s of SIGTERM");
        }

        // start.sh succeeds only once the agent's API answers.
        var start = Shell.Run(Path.Combine(home, "start.sh"), [], TimeSpan.FromMinutes(3));
        if (!start.Succeeded)
        {
            throw new InvalidOperationException("start.sh did not bring the real agent back: " + start);
        }
    }

    public void Dispose() => _agent.Dispose();
}
