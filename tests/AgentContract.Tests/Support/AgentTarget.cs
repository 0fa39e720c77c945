using System.Globalization;
using System.Net;

namespace AgentContract.Tests.Support;

/// <summary>
/// One agent under test and a client on its socket. The simulators are started here on a private socket; the real agent
/// is the one <c>../shared/real-cilium/start.sh</c> runs (<c>REAL_CILIUM_SOCKET</c> moves it), never started or stopped here.
/// </summary>
internal sealed class AgentTarget : IAsyncDisposable
{
    public const string NodeRange = "10.11.0.0/16";

    private readonly SimulatorProcess? _simulator;
    private readonly string? _directory;

    private AgentTarget(AgentKind kind, HttpClient client, SimulatorProcess? simulator, string? directory)
    {
        Kind = kind;
        Client = client;
        _simulator = simulator;
        _directory = directory;
    }

    public AgentKind Kind { get; }

    /// <summary>Generous: a sync endpoint build on the real agent takes seconds, more when its rate limiter queues.</summary>
    public HttpClient Client { get; }

    /// <summary>From Cilium 1.14 <c>POST|DELETE /v1/ipam/{ip}</c> refuse a request without <c>pool</c>.</summary>
    public bool RequiresPool => Kind == AgentKind.Simulator114;

    /// <summary>Later agents answer an endpoint PUT with the endpoint; 1.10 answers 201 without a body.</summary>
    public bool PutAnswersEndpoint => Kind == AgentKind.Simulator114;

    /// <summary>Later agents name the pool of an allocation in the answer's address pair; 1.10 has no pools.</summary>
    public bool NamesPools => Kind == AgentKind.Simulator114;

    public static string RealSocketPath =>
        Environment.GetEnvironmentVariable("REAL_CILIUM_SOCKET") is { Length: > 0 } path ? path : "/var/run/cilium/cilium.sock";

    public static async Task<AgentTarget> StartAsync(AgentKind kind)
    {
        if (kind == AgentKind.Real)
        {
            return await ConnectRealAsync();
        }

        var directory = Directory.CreateTempSubdirectory("agent-contract-").FullName;
        var socket = Path.Combine(directory, "agent.sock");
        List<string> arguments = ["--socket", socket, "--ipv4-range", NodeRange];
        if (kind == AgentKind.Simulator114)
        {
            arguments.AddRange(["--agent-version", "1.14"]);
        }

        var simulator = SimulatorProcess.Start([.. arguments]);
        try
        {
            await simulator.WaitReadyAsync();
        }
        catch
        {
            simulator.Dispose();
            // A simulator that refused its flags fails the fixture; it must not leave its directory behind.
            Directory.Delete(directory, recursive: true);
            throw;
        }

        return new AgentTarget(kind, UnixHttp.CreateClient(socket, TimeSpan.FromSeconds(120)), simulator, directory);
    }

    /// <summary>The query that names the pool where the agent needs one; harmless on agents that ignore it.</summary>
    public string PoolQuery(string separator) => RequiresPool ? $"{separator}pool=default" : "";

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        _simulator?.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private static async Task<AgentTarget> ConnectRealAsync()
    {
        var socket = RealSocketPath;
        var client = UnixHttp.CreateClient(socket, TimeSpan.FromSeconds(120));
        string? failure;
        try
        {
            using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var answer = await client.GetAsync(new Uri("/v1/healthz", UriKind.Relative), probe.Token);
            failure = answer.StatusCode == HttpStatusCode.OK
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"GET /v1/healthz answered {(int)answer.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            failure = ex.Message;
        }

        if (failure is not null)
        {
            client.Dispose();
            Assert.Ignore($"no real Cilium agent on {socket} ({failure}); start one with ../shared/real-cilium/start.sh");
        }

        return new AgentTarget(AgentKind.Real, client, null, null);
    }
}
