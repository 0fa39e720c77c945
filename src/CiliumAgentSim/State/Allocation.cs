using System.Net;

namespace CiliumAgentSim.State;

/// <summary>One allocated address. Mutable, guarded by the <see cref="AgentState"/> lock.</summary>
internal sealed class Allocation
{
    public required IPAddress Address { get; init; }

    public required string Owner { get; init; }

    public required string Pool { get; init; }

    public required DateTimeOffset AllocatedAt { get; init; }

    public string? ExpirationUuid { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public ITimer? ExpirationTimer { get; set; }

    public void StopExpiration()
    {
        ExpirationTimer?.Dispose();
        ExpirationTimer = null;
        ExpirationUuid = null;
        ExpiresAt = null;
    }
}
