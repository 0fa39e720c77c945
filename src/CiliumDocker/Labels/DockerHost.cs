using CiliumDocker.Infrastructure;

namespace CiliumDocker.Labels;

/// <summary>Where the Docker Engine API listens: a Unix socket path, or a plain-HTTP TCP endpoint.</summary>
internal sealed class DockerHost
{
    private readonly SocketEndpoint _endpoint;

    private DockerHost(string original, SocketEndpoint endpoint)
    {
        Original = original;
        _endpoint = endpoint;
    }

    /// <summary>The text the operator gave, used in every message about this host.</summary>
    public string Original { get; }

    /// <summary>The Unix socket path, or null for a TCP host.</summary>
    public string? SocketPath => _endpoint.SocketPath;

    public string? TcpHost => _endpoint.Host;

    public int TcpPort => _endpoint.Port;

    public bool IsUnix => _endpoint.IsUnixSocket;

    /// <summary>Base address for requests; for a Unix socket the host name is only what goes into the Host header.</summary>
    public Uri BaseAddress => IsUnix
        ? new Uri("http://localhost/")
        : new Uri($"http://{_endpoint.HostAndPort}/");

    /// <summary>Parses <c>unix:///path</c> or <c>tcp://host:port</c> (the forms of <c>DOCKER_HOST</c> without TLS),
    /// with the parser the agent's address uses.</summary>
    /// <exception cref="FormatException">Anything else, with a message that says which forms are accepted.</exception>
    public static DockerHost Parse(string value) => new(value, SocketEndpoint.Parse(value));

    /// <summary>Opens a connection to a Unix socket host; TCP hosts use the handler's own connect.</summary>
    public ValueTask<Stream> ConnectUnixAsync(CancellationToken cancellationToken) => SocketEndpoint.ConnectUnixAsync(SocketPath!, cancellationToken);

    /// <summary>
    /// Why the Unix socket cannot be used right now, or null when it is there (always null for TCP). A settable
    /// bind mount whose host source is not Docker's socket shows up here as a missing path, a directory or a file.
    /// </summary>
    public string? DescribeUnusableSocket() => !IsUnix
        ? null
        : UnixFileType.Of(SocketPath!) switch
        {
            UnixFileKind.Socket or UnixFileKind.Unknown => null,
            UnixFileKind.Missing => $"{SocketPath} does not exist",
            UnixFileKind.Directory => $"{SocketPath} is a directory, not the Docker socket",
            UnixFileKind.RegularFile => $"{SocketPath} is a regular file, not the Docker socket",
            _ => $"{SocketPath} is not a socket",
        };

    public override string ToString() => Original;
}
