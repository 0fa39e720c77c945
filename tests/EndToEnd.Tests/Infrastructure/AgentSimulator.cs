using System.Text.Json;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// The Cilium agent simulator in datapath mode on the agent's real socket path, where the managed plugin's
/// bind mount of <c>/var/run/cilium</c> finds it.
/// </summary>
internal sealed class AgentSimulator : IAgentUnderTest
{
    public const string SocketPath = "/var/run/cilium/cilium.sock";
    public const string ControlSocketPath = "/var/run/cilium/cilium-sim-control.sock";
    public const string IPv4Range = "10.11.0.0/16";
    public const string RouterIPv4 = "10.11.0.1";
    public const string IPv6Range = "f00d::a0b:0:0:0/96";

    private readonly string _logPath;
    private BackgroundProcess _process;
    private readonly HttpClient _control;
    private readonly HttpClient _agent;

    private AgentSimulator(BackgroundProcess process, string logPath)
    {
        _process = process;
        _logPath = logPath;
        _control = UnixSocketHttp.Client(ControlSocketPath);
        _agent = UnixSocketHttp.Client(SocketPath);
    }

    public string Log => _process.ReadLog();

    public static AgentSimulator Start(string logPath)
    {
        var simulator = new AgentSimulator(Launch(logPath), logPath);
        try
        {
            simulator.WaitUntilAnswering();
        }
        catch
        {
            simulator.Dispose();
            throw;
        }

        return simulator;
    }

    /// <summary>A new simulator process on the same sockets; like an agent without a state directory, it starts empty.</summary>
    public void Restart()
    {
        _process.Dispose();
        _process = Launch(_logPath);
        WaitUntilAnswering();
    }

    private static BackgroundProcess Launch(string logPath) => BackgroundProcess.Start(
        RepositoryPaths.SimulatorBinary,
        ["--socket", SocketPath, "--control-socket", ControlSocketPath, "--ipv4-range", IPv4Range, "--ipv6-range", IPv6Range, "--datapath"],
        logPath);

    private void WaitUntilAnswering()
    {
        if (!Wait.Until(() => _agent.TryGet("/v1/healthz"), TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException("the agent simulator did not answer within 30 s:\n" + _process.ReadLog());
        }
    }

    public JsonElement Endpoints() => _agent.GetJson("/v1/endpoint");

    /// <summary>From the simulator's own view (control socket), which also says which allocations carry a timer.</summary>
    public IReadOnlyList<AgentAllocation> Allocations() =>
        [.. _control.GetJson("/state").GetProperty("addresses").EnumerateArray()
            .Where(static allocation => allocation.GetProperty("owner").GetString() != "router")
            .Select(static allocation => new AgentAllocation(
                allocation.GetProperty("ip").GetString()!,
                Timed: allocation.TryGetProperty("expiresAt", out var expiresAt) && expiresAt.ValueKind != JsonValueKind.Null))];

    public void Control(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = _control.PostAsync(new Uri("http://localhost" + path), content).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        _process.Dispose();
        _control.Dispose();
        _agent.Dispose();
    }
}
