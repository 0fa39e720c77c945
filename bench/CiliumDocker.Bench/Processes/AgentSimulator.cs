using System.Text.Json;

namespace CiliumDocker.Bench.Processes;

/// <summary>The Cilium agent simulator on sockets of the benchmark's own, so it never meets another agent.</summary>
internal sealed class AgentSimulator : IDisposable
{
    public const string IPv4Range = "10.42.0.0/16";
    public const string IPv6Range = "f00d::a2a:0:0:0/96";

    private readonly SimulatorProcess _process;
    private readonly HttpClient _control;

    private AgentSimulator(SimulatorProcess process, string socketPath, string controlSocketPath)
    {
        _process = process;
        SocketPath = socketPath;
        ControlSocketPath = controlSocketPath;
        _control = UnixHttp.CreateClient(controlSocketPath, TimeSpan.FromSeconds(30));
    }

    public string SocketPath { get; }

    public string ControlSocketPath { get; }

    public int Pid => _process.Pid;

    /// <param name="directory">holds the sockets and the log; short, for the 107-byte socket path limit. The agent
    /// socket is <c>cilium.sock</c>, the name a managed plugin looks for in the directory bind-mounted to it.</param>
    /// <param name="datapath">routes and addresses on the host like the real agent; off for the protocol benchmark,
    /// where the simulator has to answer as fast as it can.</param>
    public static AgentSimulator Start(string directory, bool datapath)
    {
        var socket = Path.Combine(directory, "cilium.sock");
        var control = Path.Combine(directory, "control.sock");
        List<string> arguments = ["--socket", socket, "--control-socket", control, "--ipv4-range", IPv4Range, "--ipv6-range", IPv6Range];
        if (datapath)
        {
            arguments.Add("--datapath");
        }

        return new AgentSimulator(SimulatorProcess.StartReady(arguments, Path.Combine(directory, "agent-sim.log")), socket, control);
    }

    /// <summary>The simulator's own view (control socket <c>GET /state</c>): allocations and endpoints.</summary>
    public JsonElement State() => _control.GetJson("/state");

    /// <summary>How many items the state's array <paramref name="name"/> holds, or null if the state has no such array.</summary>
    public int? StateCount(string name)
    {
        var state = State();
        return state.ValueKind == JsonValueKind.Object && state.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.GetArrayLength()
            : null;
    }

    public void Dispose()
    {
        _process.Dispose();
        _control.Dispose();
    }
}
