using System.Text;
using System.Text.Json.Nodes;
using CiliumAgentSim.Datapath;
using CiliumAgentSim.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CiliumAgentSim.Tests.Support;

/// <summary>An in-process simulator on short temporary socket paths, with clients for both sockets.</summary>
internal sealed class SimHarness : IAsyncDisposable
{
    private SimHarness(string directory, SimOptions options, AgentSimulator simulator, FakeTimeProvider time)
    {
        Directory = directory;
        Options = options;
        Simulator = simulator;
        Time = time;
        Agent = UnixHttp.CreateClient(options.SocketPath);
        Control = UnixHttp.CreateClient(options.ResolvedControlSocketPath);
    }

    public string Directory { get; }

    public SimOptions Options { get; }

    public AgentSimulator Simulator { get; }

    /// <summary>Drives address expiration; starts at the real time.</summary>
    public FakeTimeProvider Time { get; }

    public HttpClient Agent { get; }

    public HttpClient Control { get; }

    public static async Task<SimHarness> StartAsync(Func<SimOptions, SimOptions>? configure = null, IEndpointDatapath? datapath = null)
    {
        var directory = NewTempDirectory();
        var options = new SimOptions { SocketPath = Path.Combine(directory, "a.sock") };
        options = configure?.Invoke(options) ?? options;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        try
        {
            var simulator = await AgentSimulator.StartAsync(options, time, datapath ?? NoDatapath.Instance, NullLogger.Instance, CancellationToken.None);
            return new SimHarness(directory, options, simulator, time);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Unix socket paths are limited to 107 characters: keep them under /tmp.</summary>
    public static string NewTempDirectory()
    {
        var directory = Path.Combine("/tmp", "sim-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async Task<JsonNode> AllocateAsync(string query = "family=ipv4&owner=test", bool expiration = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ipam?" + query);
        request.Headers.Add("expiration", expiration ? "true" : "false");
        using var response = await Agent.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 201)
        {
            throw new InvalidOperationException($"POST /v1/ipam answered {(int)response.StatusCode}: {body}");
        }

        return JsonNode.Parse(body)!;
    }

    public async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = Json(json);
        }

        using var response = await Agent.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(int Status, string Body)> ControlAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = Json(json);
        }

        using var response = await Control.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonNode> StateAsync()
    {
        var (_, body) = await ControlAsync(HttpMethod.Get, "/state");
        return JsonNode.Parse(body)!;
    }

    /// <summary>PUT an endpoint through <c>cilium-local:0</c>; returns the status and body.</summary>
    public Task<(int Status, string Body)> PutEndpointAsync(string json) =>
        SendAsync(HttpMethod.Put, "/v1/endpoint/cilium-local:0", json);

    public async ValueTask DisposeAsync()
    {
        Agent.Dispose();
        Control.Dispose();
        await Simulator.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
