using System.Net.Sockets;

namespace CiliumDocker.Infrastructure;

/// <summary>Where a socket API listens (the agent's, Docker's): a Unix socket path, or a TCP host and port.</summary>
internal sealed record SocketEndpoint
{
    // The longest path a sockaddr_un holds (108 bytes with the terminating NUL), counted in UTF-8 bytes.
    private const int MaxUnixSocketPathLength = 107;

    private SocketEndpoint(string? socketPath, string? host, int port)
    {
        SocketPath = socketPath;
        Host = host;
        Port = port;
    }

    /// <summary>The Unix socket path; null for a TCP endpoint.</summary>
    public string? SocketPath { get; }

    /// <summary>The TCP host; null for a Unix socket endpoint.</summary>
    public string? Host { get; }

    public int Port { get; }

    public bool IsUnixSocket => SocketPath is not null;

    public static SocketEndpoint UnixSocket(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new SocketEndpoint(path, null, 0);
    }

    public static SocketEndpoint Tcp(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return new SocketEndpoint(null, host, port);
    }

    /// <summary>The form an operator recognises in an error: the bare socket path, or <c>tcp://host:port</c>.</summary>
    public override string ToString() => SocketPath ?? $"tcp://{HostAndPort}";

    /// <summary>The form <see cref="Parse"/> reads: <c>unix:///path</c> or <c>tcp://host:port</c>.</summary>
    public string Address => SocketPath is not null ? "unix://" + SocketPath : "tcp://" + HostAndPort;

    /// <summary><c>host:port</c>, with an IPv6 literal bracketed.</summary>
    public string HostAndPort => Host is not null && Host.Contains(':', StringComparison.Ordinal)
        ? $"[{Host}]:{Port}"
        : $"{Host}:{Port}";

    /// <summary>
    /// The one parser of socket API addresses, for the agent (<c>--cilium-api</c>) and Docker (<c>--docker-host-path</c>):
    /// <c>unix:///absolute/path</c> (at most 107 bytes, what a <c>sockaddr_un</c> holds) or <c>tcp://host:port</c>.
    /// </summary>
    /// <exception cref="FormatException">Any other form; the message quotes the input like the original did.</exception>
    public static SocketEndpoint Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);

        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            throw Invalid(uri, "expected unix:///path/to/the.sock or tcp://host:port");
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

            return SocketEndpoint.UnixSocket(rest);
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
            return SocketEndpoint.Tcp(parsed.HostNameType == UriHostNameType.IPv6 ? parsed.DnsSafeHost : parsed.Host, parsed.Port);
        }

        throw Invalid(uri, $"unsupported scheme '{scheme}', expected unix:// or tcp://");
    }

    private static FormatException Invalid(string uri, string why) => new($"invalid host format '{uri}': {why}");

    /// <summary>A stream connected to the Unix socket at <paramref name="socketPath"/>, for an HTTP handler's connect callback.</summary>
    public static async ValueTask<Stream> ConnectUnixAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
