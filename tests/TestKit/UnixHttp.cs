using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CiliumDocker.TestKit;

/// <summary>
/// HTTP over a Unix socket, for an agent's API (the simulator's, the real agent's) and the simulator's control API.
/// The blocking helpers are for fixtures and load generators, not for the calls a test or benchmark measures.
/// </summary>
public static class UnixHttp
{
    /// <summary>The base address of every client: the host name is not used, the socket is.</summary>
    public static Uri BaseAddress { get; } = new("http://localhost");

    /// <summary>An HttpClient whose every connection goes to <paramref name="socketPath"/>; no pooling surprises.</summary>
    /// <param name="timeout">per request; 20 s by default.</param>
    public static HttpClient CreateClient(string socketPath, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (_, cancellationToken) =>
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
            },
        };
        return new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(20) };
    }

    /// <summary>GET <paramref name="path"/> and its JSON body; throws unless it answered 2xx.</summary>
    public static JsonElement GetJson(this HttpClient client, string path)
    {
        ArgumentNullException.ThrowIfNull(client);
        var body = client.GetStringAsync(Url(path)).GetAwaiter().GetResult();
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>Whether GET <paramref name="path"/> answers 2xx; false also when nothing answers (yet) or in time.</summary>
    public static bool TryGet(this HttpClient client, string path)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            using var response = client.GetAsync(Url(path)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>POST <paramref name="json"/> to <paramref name="path"/>.</summary>
    /// <exception cref="HttpRequestException">nothing answered, or the answer was not 2xx (the message holds its body).</exception>
    public static void PostJson(this HttpClient client, string path, string json)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = client.PostAsync(Url(path), content).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            var answer = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            throw new HttpRequestException($"POST {path} {json} answered {(int)response.StatusCode}: {answer}", null, response.StatusCode);
        }
    }

    private static Uri Url(string path) => new(BaseAddress, path);
}
