using System.Text.Json;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>The agent the suite's plugins talk to: the simulator, or the real Cilium agent (<c>E2E_AGENT=real</c>).</summary>
internal interface IAgentUnderTest : IDisposable
{
    /// <summary>The agent's endpoints as <c>GET /v1/endpoint</c> returns them.</summary>
    JsonElement Endpoints();

    /// <summary>The agent's services as <c>GET /v1/service</c> returns them (published ports): none once containers are gone.</summary>
    JsonElement Services();

    /// <summary>Every address the agent's IPAM holds for others than itself (its router address is left out).</summary>
    IReadOnlyList<AgentAllocation> Allocations();

    /// <summary>The agent process stops and starts again (an upgrade, a crash); returns once it answers again.</summary>
    void Restart();
}

/// <summary>One address held by the agent's IPAM; <paramref name="Timed"/> when an expiration timer will free it.</summary>
internal sealed record AgentAllocation(string Ip, bool Timed);
