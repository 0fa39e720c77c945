using CiliumDocker.Infrastructure;

namespace CiliumDocker.Agent;

/// <summary>
/// The agent's <c>/v1/config</c> as last fetched. A background monitor keeps it fresh; a Docker call that comes
/// before the first fetch succeeded waits for it within the call's deadline.
/// </summary>
internal interface IAgentConfig
{
    /// <summary>Null until the first successful fetch; afterwards the last valid configuration, even while the
    /// agent is unreachable (see <see cref="LastError"/>).</summary>
    AgentConfigSnapshot? Current { get; }

    /// <summary>Why the latest fetch failed or was rejected; null once a fetch succeeded.</summary>
    string? LastError { get; }

    /// <summary>
    /// The current configuration. Before the first one arrived, a Docker call waits for it until its
    /// <see cref="CallDeadline"/>; then, and outside a Docker call at once, a <see cref="CiliumAgentException"/> that
    /// names the agent socket and why no configuration came.
    /// </summary>
    ValueTask<DaemonConfigurationStatus> GetRequiredAsync(CancellationToken cancellationToken);
}

internal sealed record AgentConfigSnapshot(DaemonConfigurationStatus Status, DateTimeOffset FetchedAt);
