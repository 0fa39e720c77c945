using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>
/// Sends plugin requests byte for byte as Docker Engine 20.10.24 does (docker-20.10.24-requests.txt): empty Host,
/// Go's User-Agent, Content-Length, the plugin Accept type, no Content-Type, JSON with a trailing newline.
/// </summary>
internal static class DockerWire
{
    public static Task<WireResponse> PostAsync(string socketPath, string path, string? body, CancellationToken cancellationToken)
        => SendAsync(socketPath, "POST", path, body is null ? [] : Encoding.UTF8.GetBytes(body), cancellationToken);

    public static async Task<WireResponse> SendAsync(string socketPath, string method, string path, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);

        var head = $"{method} {path} HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: {body.Length}\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        try
        {
            await stream.WriteAsync(body, cancellationToken);
        }
        catch (IOException)
        {
            // The server may answer and close before taking a body it refuses; its answer is still readable.
        }

        return await ReadResponseAsync(stream, cancellationToken);
    }

    private static async Task<WireResponse> ReadResponseAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the plugin closed the connection before answering");
            }

            buffer.Write(chunk, 0, read);
        }

        var all = buffer.ToArray();
        var lines = Encoding.ASCII.GetString(all, 0, headerEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1)
            .Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
        var body = new MemoryStream();
        body.Write(all, headerEnd + 4, all.Length - headerEnd - 4);
        while (body.Length < length)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the plugin closed the connection in the middle of its answer");
            }

            body.Write(chunk, 0, read);
        }

        return new WireResponse(status, headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    private static int IndexOfHeaderEnd(MemoryStream buffer)
        => buffer.GetBuffer().AsSpan(0, (int)buffer.Length).IndexOf("\r\n\r\n"u8);
}

internal sealed record WireResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? ContentType => Headers.GetValueOrDefault("Content-Type");
}
