using System.Net.Sockets;
using System.Text.Json;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// The Cilium agent simulator in datapath mode on the agent's real socket path, where the managed plugin's
/// bind mount of <c>/var/run/cilium</c> finds it.
/// </summary>
internal sealed class AgentSimulator : IDisposable
{
    public const string SocketPath = "/var/run/cilium/cilium.sock";
    public const string ControlSocketPath = "/var/run/cilium/cilium-sim-control.sock";
    public const string IPv4Range = "10.11.0.0/16";
    public const string RouterIPv4 = "10.11.0.1";
    public const string IPv6Range = "f00d::a0b:0:0:0/96";

    private readonly BackgroundProcess _process;
    private readonly HttpClient _control;
    private readonly HttpClient _agent;

    private AgentSimulator(BackgroundProcess process)
    {
        _process = process;
        _control = UnixHttpClient(ControlSocketPath);
        _agent = UnixHttpClient(SocketPath);
    }

    public string Log => _process.ReadLog();

    public static AgentSimulator Start(string logPath)
    {
        var process = BackgroundProcess.Start(
            RepositoryPaths.SimulatorBinary,
            ["--socket", SocketPath, "--control-socket", ControlSocketPath, "--ipv4-range", IPv4Range, "--ipv6-range", IPv6Range, "--datapath"],
            logPath);
        var simulator = new AgentSimulator(process);
        if (!Wait.Until(() => simulator.TryGet("/v1/healthz", out _), TimeSpan.FromSeconds(30)))
        {
            var log = process.ReadLog();
            simulator.Dispose();
            throw new InvalidOperationException("the agent simulator did not answer within 30 s:\n" + log);
        }

        return simulator;
    }

    /// <summary>The agent's endpoints as <c>GET /v1/endpoint</c> returns them.</summary>
    public JsonElement Endpoints() => GetJson(_agent, "/v1/endpoint");

    /// <summary>The simulator's own view of allocations and endpoints (control socket).</summary>
    public JsonElement State() => GetJson(_control, "/state");

    public void Control(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = _control.PostAsync(new Uri("http://localhost" + path), content).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
    }

    private bool TryGet(string path, out string body)
    {
        try
        {
            using var response = _agent.GetAsync(new Uri("http://localhost" + path)).GetAwaiter().GetResult();
            body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            body = string.Empty;
            return false;
        }
    }

    private static JsonElement GetJson(HttpClient client, string path)
    {
        var body = client.GetStringAsync(new Uri("http://localhost" + path)).GetAwaiter().GetResult();
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static HttpClient UnixHttpClient(string socketPath) => new(new SocketsHttpHandler
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

    public void Dispose()
    {
        _process.Dispose();
        _control.Dispose();
        _agent.Dispose();
    }
}
