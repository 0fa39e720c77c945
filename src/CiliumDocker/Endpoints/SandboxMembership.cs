namespace CiliumDocker.Endpoints;

/// <summary>
/// Which container sandbox each joined endpoint is in. Docker cannot give a container a second Cilium interface:
/// the first one's route to the agent's range covers the second one's address, and Docker refuses to program an
/// address an existing route covers ("conflicts with existing route"). Knowing the sandbox lets Join refuse with a
/// message that says why. Kept in memory only: after a plugin restart Docker's own error stands.
/// </summary>
internal sealed class SandboxMembership
{
    private readonly Dictionary<string, string> _sandboxByEndpoint = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Records the join, or returns the other endpoint of this plugin already in <paramref name="sandboxKey"/>.</summary>
    public string? TryJoin(string endpointId, string sandboxKey)
    {
        lock (_lock)
        {
            foreach (var (other, key) in _sandboxByEndpoint)
            {
                if (key == sandboxKey && other != endpointId)
                {
                    return other;
                }
            }

            _sandboxByEndpoint[endpointId] = sandboxKey;
            return null;
        }
    }

    public void Leave(string endpointId)
    {
        lock (_lock)
        {
            _sandboxByEndpoint.Remove(endpointId);
        }
    }
}
