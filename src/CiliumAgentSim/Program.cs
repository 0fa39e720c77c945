using System.Runtime.InteropServices;
using CiliumAgentSim.Datapath;
using CiliumAgentSim.Hosting;

var parsed = SimOptionsParser.Parse(args);
if (parsed.HelpRequested)
{
    Console.Out.WriteLine(SimOptionsParser.Usage);
    return 0;
}

if (parsed.Options is not { } options)
{
    await Console.Error.WriteLineAsync($"cilium-agent-sim: {parsed.Error}");
    return 2;
}

if (options.Datapath && !ProcessIdentity.IsRoot())
{
    await Console.Error.WriteLineAsync("cilium-agent-sim: --datapath changes routes, links and iptables: run it as root");
    return 1;
}

using var loggers = LoggerFactory.Create(logging => logging
    .SetMinimumLevel(options.Verbose ? LogLevel.Debug : LogLevel.Information)
    .AddSimpleConsole(console => console.SingleLine = true)
    .AddFilter("Microsoft", LogLevel.Warning));
var logger = loggers.CreateLogger("cilium-agent-sim");

IEndpointDatapath datapath = options.Datapath
    ? new LinuxDatapath(new ProcessCommandRunner(options.NetnsPath), logger)
    : NoDatapath.Instance;

AgentSimulator simulator;
try
{
    simulator = await AgentSimulator.StartAsync(options, TimeProvider.System, datapath, logger, CancellationToken.None);
}
catch (Exception ex) when (ex is IOException or DatapathException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"cilium-agent-sim: cannot start: {ex.Message}");
    return 1;
}

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal))
using (PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal))
{
    Console.Out.WriteLine($"cilium-agent-sim ready: agent {options.SocketPath}, control {options.ResolvedControlSocketPath}");
    Console.Out.Flush();
    await stop.Task;
}

await simulator.DisposeAsync();
return 0;
