namespace CiliumDocker.Cilium;

/// <summary>Where the agent is and how long the plugin waits for it.</summary>
internal sealed class AgentClientOptions
{
    public const string DefaultSocketPath = "/var/run/cilium/cilium.sock";

    /// <summary>Environment variable the original consulted for the socket path when <c>--cilium-api</c> is empty.</summary>
    public const string SocketPathEnvironmentVariable = "CILIUM_SOCK";

    // The longest path a sockaddr_un holds (108 bytes with the terminating NUL), counted in UTF-8 bytes.
    private const int MaxUnixSocketPathLength = 107;

    /// <summary>Defaults to <see cref="DefaultSocketPath"/>.</summary>
    public AgentEndpoint Endpoint { get; init; } = AgentEndpoint.UnixSocket(DefaultSocketPath);

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

    /// <summary>Cap of one backoff delay. Defaults to 2 s.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The original's default: <c>unix://$CILIUM_SOCK</c> when that variable is set, else the well-known socket.
    /// </summary>
    public static string DefaultEndpointUri(string? ciliumSockVariable) =>
        "unix://" + (string.IsNullOrEmpty(ciliumSockVariable) ? DefaultSocketPath : ciliumSockVariable);

    /// <summary>Parses <c>--cilium-api</c>: <c>unix:///path</c> or <c>tcp://host:port</c>.</summary>
    /// <exception cref="FormatException">Any other form; the message quotes the input like the original did.</exception>
    public static AgentEndpoint ParseEndpoint(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);

        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            throw Invalid(uri, "expected unix:///path/to/cilium.sock or tcp://host:port");
        }

        var scheme = uri[..separator];
        var rest = uri[(separator + 3)..];
        if (scheme == "unix")
        {
            if (rest.Length == 0)
            {
                throw Invalid(uri, "the socket path is empty");
            }

            if (!rest.StartsWith('/'))
            {
                throw Invalid(uri, "the socket path must be absolute, e.g. unix:///var/run/cilium/cilium.sock");
            }

            if (System.Text.Encoding.UTF8.GetByteCount(rest) > MaxUnixSocketPathLength)
            {
                throw Invalid(uri, $"the socket path is longer than the {MaxUnixSocketPathLength} bytes a Unix socket address can hold");
            }

            if (rest.Contains('\0', StringComparison.Ordinal))
            {
                throw Invalid(uri, "the socket path contains a NUL character");
            }

            return AgentEndpoint.UnixSocket(rest);
        }

        if (scheme == "tcp")
        {
            if (!Uri.TryCreate("tcp://" + rest, UriKind.Absolute, out var parsed)
                || parsed.Port <= 0
                || parsed.HostNameType == UriHostNameType.Unknown
                || parsed.PathAndQuery != "/"
                || parsed.UserInfo.Length != 0
                || !rest.EndsWith(":" + parsed.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
            {
                throw Invalid(uri, "expected tcp://host:port");
            }

            // Uri keeps IPv6 literals bracketed in Host; the endpoint stores the bare address.
            return AgentEndpoint.Tcp(parsed.HostNameType == UriHostNameType.IPv6 ? parsed.DnsSafeHost : parsed.Host, parsed.Port);
        }

        throw Invalid(uri, $"unsupported scheme '{scheme}', expected unix:// or tcp://");
    }

    private static FormatException Invalid(string uri, string why) => new($"invalid host format '{uri}': {why}");
}
