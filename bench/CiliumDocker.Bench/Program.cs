using CiliumDocker.Bench.Benchmarks;
using CiliumDocker.Bench.Cli;
using CiliumDocker.Bench.Processes;

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
          protocol [--concurrency 8] [--lifecycles 2000] [--warmup 200] [--veth] [--plugin ours|original] [--compare-original [--rounds 1]]
              container lifecycles on the plugin socket against the agent simulator; --veth creates veth pairs
              (the plugin runs in a fresh network namespace), otherwise the plugin runs with --datapath none;
              --plugin original runs Cilium's Go cilium-docker instead (always with veth pairs, in a netns);
              --compare-original: ours without veth, the original, ours with veth, same load, and the ratios;
              --rounds N runs the three N times in rotating order and takes the medians
          startup [--runs 20] [--plugin ours|original] [--compare-original]
              process start to first answered request, median of the runs; idle RSS;
              --compare-original: the runs alternate between ours and the original, and the ratios
          docker [--containers 50] [--agent-datapath]
              docker run -d of N containers on a Cilium network and N on the default bridge, interleaved;
              --agent-datapath: the simulator also programs host routes (it owns cilium_host: run it alone)
        binaries: CILIUM_DOCKER_BIN, CILIUM_AGENT_SIM_BIN, else artifacts/publish/... (bench/run.sh publishes them);
          CILIUM_DOCKER_ORIGINAL_BIN, else artifacts/original/cilium-docker-original, decompressed from
          CILIUM_DOCKER_ORIGINAL_XZ (default ../shared/real-cilium/bin/cilium-docker-original.xz) when missing
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
                return ProtocolBenchmark.Run(ProtocolOptionsFrom(commandLine));
            case "startup":
                return StartupBenchmark.Run(StartupOptionsFrom(commandLine));
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

    internal static ProtocolOptions ProtocolOptionsFrom(CommandLine commandLine)
    {
        commandLine.Allow("concurrency", "lifecycles", "warmup", "veth", "plugin", "compare-original", "rounds");
        var compare = commandLine.Flag("compare-original");
        var veth = commandLine.Flag("veth");
        var plugin = PluginFrom(commandLine, compare);
        if (compare && veth)
        {
            throw new UsageException("--compare-original measures ours both without and with veth: leave out --veth");
        }

        var rounds = commandLine.PositiveInt("rounds", 1);
        if (rounds > 1 && !compare)
        {
            throw new UsageException("--rounds rotates the plugins of --compare-original: give that too");
        }

        return new ProtocolOptions(
            commandLine.PositiveInt("concurrency", 8),
            commandLine.PositiveInt("lifecycles", 2000),
            commandLine.PositiveInt("warmup", 200),
            // The original has no datapath switch: it creates veth pairs whenever the agent is in veth mode.
            veth || plugin == PluginKind.Original,
            plugin,
            compare,
            rounds);
    }

    internal static StartupOptions StartupOptionsFrom(CommandLine commandLine)
    {
        commandLine.Allow("runs", "plugin", "compare-original");
        var compare = commandLine.Flag("compare-original");
        return new StartupOptions(commandLine.PositiveInt("runs", 20), PluginFrom(commandLine, compare), compare);
    }

    private static PluginKind PluginFrom(CommandLine commandLine, bool compare)
    {
        if (compare && commandLine.Has("plugin"))
        {
            throw new UsageException("--compare-original runs both plugins: leave out --plugin");
        }

        return PluginKinds.Parse(commandLine.Choice("plugin", "ours", PluginKinds.Names));
    }
}
