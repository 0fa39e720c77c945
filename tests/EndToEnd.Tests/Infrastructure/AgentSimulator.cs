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

    private static readonly string[] Arguments =
        ["--socket", SocketPath, "--control-socket", ControlSocketPath, "--ipv4-range", IPv4Range, "--ipv6-range", IPv6Range, "--datapath"];

    private readonly string _logPath;
    private readonly HttpClient _control = UnixHttp.CreateClient(ControlSocketPath, TimeSpan.FromSeconds(30));
    private readonly HttpClient _agent = UnixHttp.CreateClient(SocketPath, TimeSpan.FromSeconds(30));
    private SimulatorProcess _process;

    private AgentSimulator(SimulatorProcess process, string logPath)
    {
        _process = process;
        _logPath = logPath;
    }

    public string Log => _process.Output;

    public static AgentSimulator Start(string logPath) => new(SimulatorProcess.StartReady(Arguments, logPath), logPath);

    /// <summary>A new simulator process on the same sockets; like an agent without a state directory, it starts empty.</summary>
    public void Restart()
    {
        _process.Dispose();
        _process = SimulatorProcess.StartReady(Arguments, _logPath);
    }

    public JsonElement Endpoints() => _agent.GetJson("/v1/endpoint");

    public JsonElement Services() => _agent.GetJson("/v1/service");

    /// <summary>From the simulator's own view (control socket), which also says which allocations carry a timer.</summary>
    public IReadOnlyList<AgentAllocation> Allocations() =>
        [.. _control.GetJson("/state").GetProperty("addresses").EnumerateArray()
            .Where(static allocation => allocation.GetProperty("owner").GetString() != "router")
            .Select(static allocation => new AgentAllocation(
                allocation.GetProperty("ip").GetString()!,
                Timed: allocation.TryGetProperty("expiresAt", out var expiresAt) && expiresAt.ValueKind != JsonValueKind.Null))];

    public void Control(string path, string json) => _control.PostJson(path, json);

    public void Dispose()
    {
        _process.Dispose();
        _control.Dispose();
        _agent.Dispose();
    }
}
