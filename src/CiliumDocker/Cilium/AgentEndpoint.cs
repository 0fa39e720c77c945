namespace CiliumDocker.Cilium;

/// <summary>Where the agent API listens: a Unix socket path, or a TCP host and port.</summary>
internal sealed record AgentEndpoint
{
    private AgentEndpoint(string? socketPath, string? host, int port)
    {
        SocketPath = socketPath;
        Host = host;
        Port = port;
    }

    /// <summary>The agent socket path; null for a TCP endpoint.</summary>
    public string? SocketPath { get; }

    /// <summary>The TCP host; null for a Unix socket endpoint.</summary>
    public string? Host { get; }

    public int Port { get; }

    public bool IsUnixSocket => SocketPath is not null;

    public static AgentEndpoint UnixSocket(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new AgentEndpoint(path, null, 0);
    }

    public static AgentEndpoint Tcp(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return new AgentEndpoint(null, host, port);
    }

    /// <summary>The form an operator recognises in an error: the bare socket path, or <c>tcp://host:port</c>.</summary>
    public override string ToString() => SocketPath ?? $"tcp://{HostAndPort}";

    /// <summary><c>host:port</c>, with an IPv6 literal bracketed.</summary>
    public string HostAndPort => Host is not null && Host.Contains(':', StringComparison.Ordinal)
        ? $"[{Host}]:{Port}"
        : $"{Host}:{Port}";
}
