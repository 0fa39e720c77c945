using System.Text.Json;
using CiliumAgentSim.Tests.Support;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>HTTP over a Unix socket, for reading an agent's API as the plugin sees it.</summary>
internal static class UnixSocketHttp
{
    public static HttpClient Client(string socketPath) => UnixHttp.CreateClient(socketPath, TimeSpan.FromSeconds(30));

    public static JsonElement GetJson(this HttpClient client, string path)
    {
        var body = client.GetStringAsync(new Uri("http://localhost" + path)).GetAwaiter().GetResult();
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    public static bool TryGet(this HttpClient client, string path)
    {
        try
        {
            using var response = client.GetAsync(new Uri("http://localhost" + path)).GetAwaiter().GetResult();
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
}
