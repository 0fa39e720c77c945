using CiliumDocker.Bench.Benchmarks;
using CiliumDocker.Bench.Cli;

namespace CiliumDocker.Bench;

/// <summary>
/// Benchmarks of the cilium-docker plugin. Each subcommand starts what it needs (the published binaries, the agent
/// simulator on temp sockets, dockerd only for <c>docker</c> and only if none runs), prints a Markdown report on
/// stdout and stops what it started. Exit code 0: every call succeeded and nothing was left behind; 1: some
/// failed; 2: bad command line.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: CiliumDocker.Bench <subcommand> [options]
          protocol [--concurrency 8] [--lifecycles 2000] [--warmup 200] [--veth]
              container lifecycles on the plugin socket against the agent simulator; --veth creates veth pairs
              (the plugin runs in a fresh network namespace), otherwise the plugin runs with --datapath none
          startup [--runs 20]
              process start to first answered request, median of the runs; idle RSS
          docker [--containers 50] [--agent-datapath]
              docker run -d of N containers on a Cilium network and N on the default bridge, interleaved;
              --agent-datapath: the simulator also programs host routes (it owns cilium_host: run it alone)
        binaries: CILIUM_DOCKER_BIN, CILIUM_AGENT_SIM_BIN, else artifacts/publish/... (bench/run.sh publishes them)
        """;

    public static int Main(string[] args)
    {
        try
        {
            var commandLine = CommandLine.Parse(args);
            var (report, clean) = Dispatch(commandLine);
            Console.Out.Write(report);
            return clean ? 0 : 1;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("CiliumDocker.Bench: " + e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or DirectoryNotFoundException or Wire.PluginWireException or Wire.PluginCallFailedException)
        {
            Console.Error.WriteLine("CiliumDocker.Bench: " + e.Message);
            return 1;
        }
    }

    private static (string Report, bool Clean) Dispatch(CommandLine commandLine)
    {
        switch (commandLine.Command)
        {
            case "protocol":
                commandLine.Allow("concurrency", "lifecycles", "warmup", "veth");
                return ProtocolBenchmark.Run(new ProtocolOptions(
                    commandLine.PositiveInt("concurrency", 8),
                    commandLine.PositiveInt("lifecycles", 2000),
                    commandLine.PositiveInt("warmup", 200),
                    commandLine.Flag("veth")));
            case "startup":
                commandLine.Allow("runs");
                return StartupBenchmark.Run(commandLine.PositiveInt("runs", 20));
            case "docker":
                commandLine.Allow("containers", "agent-datapath");
                return DockerRunBenchmark.Run(commandLine.PositiveInt("containers", 50), commandLine.Flag("agent-datapath"));
            case "help" or "--help" or "-h":
                Console.Out.WriteLine(Usage);
                return (string.Empty, true);
            default:
                throw new UsageException($"unknown subcommand '{commandLine.Command}'");
        }
    }
}
