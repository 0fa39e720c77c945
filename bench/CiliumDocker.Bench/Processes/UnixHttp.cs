using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CiliumDocker.Bench.Processes;

/// <summary>HttpClient over a Unix socket, for the simulator's agent API and control API (not for the measured calls).</summary>
internal sealed class UnixHttp : IDisposable
{
    private readonly HttpClient _client;

    public UnixHttp(string socketPath)
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public bool TryGet(string path)
    {
        try
        {
            using var response = _client.GetAsync(Url(path)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public JsonElement GetJson(string path)
    {
        var body = _client.GetStringAsync(Url(path)).GetAwaiter().GetResult();
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public void Post(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = _client.PostAsync(Url(path), content).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} {json} answered {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        }
    }

    private static Uri Url(string path) => new("http://localhost" + path);

    public void Dispose() => _client.Dispose();
}
