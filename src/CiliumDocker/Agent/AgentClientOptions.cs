using CiliumDocker.Infrastructure;

namespace CiliumDocker.Agent;

/// <summary>Where the agent is and how long the plugin waits for it.</summary>
internal sealed class AgentClientOptions
{
    public const string DefaultSocketPath = "/var/run/cilium/cilium.sock";

    /// <summary>Environment variable the original consulted for the socket path when <c>--cilium-api</c> is empty.</summary>
    public const string SocketPathEnvironmentVariable = "CILIUM_SOCK";

    /// <summary>Defaults to <see cref="DefaultSocketPath"/>.</summary>
    public SocketEndpoint Endpoint { get; init; } = SocketEndpoint.UnixSocket(DefaultSocketPath);

    /// <summary>
    /// Longest wait for one answer. Defaults to 10 s: an endpoint PUT with <c>sync-build-endpoint</c> waits for the
    /// first datapath build, which takes seconds on a busy node.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest wait for a call including its retries. Defaults to 20 s, well under the 30 s Docker allows a plugin
    /// call, so Docker receives the plugin's explanation instead of its own timeout.
    /// </summary>
    public TimeSpan TotalBudget { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Retries after the first attempt, within <see cref="TotalBudget"/>. Defaults to 5.</summary>
    public int MaxRetryAttempts { get; init; } = 5;

    /// <summary>
    /// Cap on retries of what the agent never processed (no connection, 429, 503). Null, the default, retries them
    /// until the budget runs out; a number exists for tests that count attempts.
    /// </summary>
    public int? MaxUnprocessedRetryAttempts { get; init; }

    /// <summary>First backoff delay, doubled per retry, with jitter. Defaults to 100 ms; zero retries at once.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap of one backoff delay. Defaults to 1 s: an agent that comes back is noticed within a second, and an attempt at a missing socket costs microseconds.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The original's default: <c>unix://$CILIUM_SOCK</c> when that variable is set, else the well-known socket.
    /// </summary>
    public static string DefaultEndpointUri(string? ciliumSockVariable) =>
        "unix://" + (string.IsNullOrEmpty(ciliumSockVariable) ? DefaultSocketPath : ciliumSockVariable);

}
