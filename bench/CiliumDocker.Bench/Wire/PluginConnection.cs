using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CiliumDocker.Bench.Wire;

/// <summary>
/// One keep-alive HTTP/1.1 connection to the plugin socket that sends requests byte for byte as Docker Engine
/// 20.10.24 does (see docker-20.10.24-requests.txt): POST, empty Host, Go's User-Agent, Content-Length, the plugin
/// Accept header, no Content-Type, and the body <c>json.Encoder</c> writes (ending in a newline). A hand-written
/// client, because HttpClient would add a Host and costs the generator CPU the plugin shares on two cores.
/// </summary>
internal sealed class PluginConnection : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly string _socketPath;
    private readonly byte[] _buffer = new byte[BufferSize];
    private Socket? _socket;
    private int _start;
    private int _end;

    public PluginConnection(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        _socketPath = socketPath;
    }

    /// <summary>Sends one call; a dropped connection is reopened on the next call, as Go's transport does.</summary>
    /// <param name="path">e.g. <c>/NetworkDriver.Join</c>.</param>
    /// <param name="json">the body without the trailing newline, or null for Docker's empty body.</param>
    public PluginResponse Post(string path, string? json)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            var socket = _socket ??= Connect(_socketPath);
            Send(socket, RequestBytes(path, json));
            return Receive(socket);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Close();
            throw new PluginWireException($"{path}: {e.Message}", e);
        }
    }

    internal static byte[] RequestBytes(string path, string? json)
    {
        var body = json is null ? [] : Encoding.UTF8.GetBytes(json + "\n");
        var head = Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\n"
            + "Accept: application/vnd.docker.plugins.v1.2+json\r\n\r\n");
        var request = new byte[head.Length + body.Length];
        head.CopyTo(request, 0);
        body.CopyTo(request, head.Length);
        return request;
    }

    private static Socket Connect(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void Send(Socket socket, byte[] request)
    {
        var sent = 0;
        while (sent < request.Length)
        {
            sent += socket.Send(request, sent, request.Length - sent, SocketFlags.None);
        }
    }

    private PluginResponse Receive(Socket socket)
    {
        var statusLine = ReadLine(socket);
        // "HTTP/1.1 200 OK"
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusLine.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new IOException($"not an HTTP status line: '{statusLine}'");
        }

        long contentLength = -1;
        var chunked = false;
        var close = false;
        for (var line = ReadLine(socket); line.Length > 0; line = ReadLine(socket))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new IOException($"not an HTTP header: '{line}'");
            }

            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                close = value.Equals("close", StringComparison.OrdinalIgnoreCase);
            }
        }

        var body = new MemoryStream();
        if (chunked)
        {
            ReadChunked(socket, body);
        }
        else if (contentLength >= 0)
        {
            ReadExactly(socket, body, contentLength);
        }
        else
        {
            ReadToEnd(socket, body);
            close = true;
        }

        if (close)
        {
            Close();
        }

        return new PluginResponse(status, Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
    }

    private void ReadChunked(Socket socket, MemoryStream body)
    {
        while (true)
        {
            var sizeLine = ReadLine(socket);
            var extension = sizeLine.IndexOf(';', StringComparison.Ordinal);
            var sizeText = extension >= 0 ? sizeLine[..extension] : sizeLine;
            if (!long.TryParse(sizeText.Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw new IOException($"not a chunk size: '{sizeLine}'");
            }

            if (size == 0)
            {
                // Trailers, if any, end with an empty line.
                while (ReadLine(socket).Length > 0)
                {
                }

                return;
            }

            ReadExactly(socket, body, size);
            if (ReadLine(socket).Length != 0)
            {
                throw new IOException("a chunk does not end with CRLF");
            }
        }
    }

    private void ReadExactly(Socket socket, MemoryStream body, long count)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                Fill(socket);
            }

            var take = (int)Math.Min(count, _end - _start);
            body.Write(_buffer, _start, take);
            _start += take;
            count -= take;
        }
    }

    private void ReadToEnd(Socket socket, MemoryStream body)
    {
        body.Write(_buffer, _start, _end - _start);
        _start = _end = 0;
        int read;
        while ((read = socket.Receive(_buffer)) > 0)
        {
            body.Write(_buffer, 0, read);
        }
    }

    private string ReadLine(Socket socket)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r')
                {
                    length--;
                }

                var line = Encoding.ASCII.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }

            if (_start == 0 && _end == _buffer.Length)
            {
                throw new IOException($"an HTTP line longer than {BufferSize} bytes");
            }

            Fill(socket);
        }
    }

    private void Fill(Socket socket)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = socket.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
        if (read == 0)
        {
            throw new IOException("the plugin closed the connection in the middle of a response");
        }

        _end += read;
    }

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
        _start = _end = 0;
    }

    public void Dispose() => Close();
}

/// <param name="Status">HTTP status; Docker counts anything but 200 as a failed call.</param>
internal readonly record struct PluginResponse(int Status, string Body)
{
    public bool Succeeded => Status == 200;
}

/// <summary>The call did not complete at the transport level (no socket, reset, malformed response).</summary>
internal sealed class PluginWireException : Exception
{
    public PluginWireException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
