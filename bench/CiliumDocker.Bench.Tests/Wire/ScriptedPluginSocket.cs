using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace CiliumDocker.Bench.Tests.Wire;

/// <summary>
/// A Unix socket that records each HTTP request it receives and answers with the next scripted raw response;
/// a script entry of null closes the connection instead of answering.
/// </summary>
internal sealed class ScriptedPluginSocket : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<string?> _responses;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public ScriptedPluginSocket(params string?[] responses)
    {
        Path = "/tmp/" + Guid.NewGuid().ToString("N")[..12] + ".sock";
        _responses = new ConcurrentQueue<string?>(responses);
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen();
        _serving = Task.Run(ServeAsync);
    }

    public string Path { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public int Connections { get; private set; }

    private async Task ServeAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var connection = await _listener.AcceptAsync(_stop.Token);
                Connections++;
                await ServeConnectionAsync(connection);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeConnectionAsync(Socket connection)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var request = TakeRequest(received);
            if (request is null)
            {
                var read = await connection.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, read));
                continue;
            }

            Requests.Enqueue(request);
            if (!_responses.TryDequeue(out var response) || response is null)
            {
                return;
            }

            await connection.SendAsync(Encoding.UTF8.GetBytes(response), _stop.Token);
        }
    }

    /// <summary>One whole request (headers + Content-Length body) off the front of <paramref name="received"/>, or null.</summary>
    private static string? TakeRequest(List<byte> received)
    {
        var text = Encoding.UTF8.GetString(received.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }

        var length = 0;
        foreach (var line in text[..end].Split("\r\n"))
        {
            if (line.StartsWith("Content-Length: ", StringComparison.Ordinal))
            {
                length = int.Parse(line["Content-Length: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var total = end + 4 + length;
        if (received.Count < total)
        {
            return null;
        }

        received.RemoveRange(0, total);
        return text[..total];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        File.Delete(Path);
        _stop.Dispose();
    }
}
