using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CiliumDocker.Labels;

/// <summary>Where the Docker Engine API listens: a Unix socket path, or a plain-HTTP TCP endpoint.</summary>
internal sealed class DockerHost
{
    // sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
    private const int MaxUnixPathBytes = 107;

    private DockerHost(string original, string? socketPath, string? tcpHost, int tcpPort)
    {
        Original = original;
        SocketPath = socketPath;
        TcpHost = tcpHost;
        TcpPort = tcpPort;
    }

    /// <summary>The text the operator gave, used in every message about this host.</summary>
    public string Original { get; }

    /// <summary>The Unix socket path, or null for a TCP host.</summary>
    public string? SocketPath { get; }

    public string? TcpHost { get; }

    public int TcpPort { get; }

    public bool IsUnix => SocketPath is not null;

    /// <summary>Base address for requests; for a Unix socket the host name is only what goes into the Host header.</summary>
    public Uri BaseAddress => IsUnix
        ? new Uri("http://localhost/")
        : new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{FormatHost(TcpHost!)}:{TcpPort}/"));

    /// <summary>Parses <c>unix:///path</c> or <c>tcp://host:port</c> (the forms of <c>DOCKER_HOST</c> without TLS).</summary>
    /// <exception cref="FormatException">Anything else, with a message that says which forms are accepted.</exception>
    public static DockerHost Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith("unix://", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["unix://".Length..];
            if (!path.StartsWith('/'))
            {
                throw Invalid(value, "the socket path must be absolute, e.g. unix:///var/run/docker.sock");
            }

            if (Encoding.UTF8.GetByteCount(path) > MaxUnixPathBytes)
            {
                throw Invalid(value, $"the socket path is longer than the {MaxUnixPathBytes} bytes a Unix socket address can hold");
            }

            return new DockerHost(value, path, null, 0);
        }

        if (value.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate("http://" + value["tcp://".Length..], UriKind.Absolute, out var uri)
                || uri.IsDefaultPort
                || uri.AbsolutePath != "/"
                || !string.IsNullOrEmpty(uri.Query)
                || string.IsNullOrEmpty(uri.Host))
            {
                throw Invalid(value, "expected tcp://host:port with an explicit port, e.g. tcp://127.0.0.1:2375");
            }

            return new DockerHost(value, null, uri.IdnHost, uri.Port);
        }

        throw Invalid(value, "use unix:///path/to/docker.sock or tcp://host:port (TLS is not supported)");
    }

    /// <summary>Opens a connection to a Unix socket host; TCP hosts use the handler's own connect.</summary>
    public async ValueTask<Stream> ConnectUnixAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath!), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

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

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;

    private static FormatException Invalid(string value, string why) => new($"Docker host '{value}' is not usable: {why}");
}
