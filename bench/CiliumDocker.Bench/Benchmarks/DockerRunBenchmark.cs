using System.Globalization;
using CiliumDocker.Bench.Measurement;
using CiliumDocker.Bench.Processes;
using CiliumDocker.Bench.Report;

namespace CiliumDocker.Bench.Benchmarks;

/// <summary>
/// <c>docker run -d</c> of N containers on a Cilium network (the managed plugin against the agent simulator), N on
/// the default bridge and N on a user-defined bridge network, interleaved in one run so that all see the same
/// machine, and the ratio of the median start times. The user-defined bridge separates what any user-defined
/// network costs (Docker's embedded DNS server) from what the plugin costs. By default the simulator answers without programming routes, so that the figure is the plugin's and
/// Docker's remote-driver cost; with <c>--agent-datapath</c> it also programs the host routes per endpoint (by
/// running <c>ip</c>), the simulator's stand-in for the agent's own work, which a real agent does differently.
/// </summary>
internal static class DockerRunBenchmark
{
    public const double RatioTarget = 1.15;
    private const string Image = "cilium-bench/busybox:latest";
    private const int WarmupPerNetwork = 2;

    /// <summary>For the image and bundle scripts, which may download and build.</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    public static (string Report, bool Clean) Run(int containers, bool agentDatapath)
    {
        using var work = WorkDirectory.Create();
        using var engine = DockerDaemon.EnsureRunning(Path.Combine(work.Path, "dockerd.log"));
        Shell.MustRun(Path.Combine(RepositoryPaths.Root, "tests/images/busybox-image.sh"), [Image], ScriptTimeout);
        using var simulator = AgentSimulator.Start(work.Sub("agent"), agentDatapath);
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var plugin = "cilium-bench/plugin-" + suffix + ":latest";
        var network = "cbnet-" + suffix;
        var userBridge = "cbbr-" + suffix;
        var created = new List<string>();
        try
        {
            CreatePlugin(plugin, Path.GetDirectoryName(simulator.SocketPath)!);
            Docker.MustRun("network", "create", "--driver", plugin, "--ipam-driver", plugin, network);
            Docker.MustRun("network", "create", userBridge);
            var failures = new List<string>();
            var series = new[] { new Series(network), new Series("bridge"), new Series(userBridge) };
            for (var i = 0; i < WarmupPerNetwork; i++)
            {
                foreach (var each in series)
                {
                    Start(each.Network, created, failures);
                }
            }

            for (var i = 0; i < containers; i++)
            {
                // Rotate which network goes first, so that none always runs right after another's work.
                for (var j = 0; j < series.Length; j++)
                {
                    var each = series[(i + j) % series.Length];
                    if (Start(each.Network, created, failures) is { } milliseconds)
                    {
                        each.Milliseconds.Add(milliseconds);
                    }
                }
            }

            var address = Docker.ContainerIp(created[0], network);
            return (Describe(containers, agentDatapath, series, failures, address, engine.StartedHere), failures.Count == 0);
        }
        finally
        {
            foreach (var batch in created.Chunk(25))
            {
                Docker.Run(["rm", "-f", .. batch]);
            }

            Docker.Run("network", "rm", network, userBridge);
            Docker.Run("plugin", "rm", "-f", plugin);
        }
    }

    /// <summary>Assembles the bundle from the published binary and creates the plugin with the simulator's directory mounted.</summary>
    private static void CreatePlugin(string plugin, string agentDirectory)
    {
        Shell.MustRun(Path.Combine(RepositoryPaths.Root, "build-plugin.sh"), ["--binary", RepositoryPaths.PluginBinary, "--bundle-only"], ScriptTimeout);
        Docker.MustRun("plugin", "create", plugin, Path.Combine(RepositoryPaths.Root, "plugin"));
        Docker.MustRun("plugin", "set", plugin, "cilium-run.source=" + agentDirectory);
        Docker.MustRun("plugin", "enable", plugin);
    }

    /// <returns>the wall time of <c>docker run -d</c> in ms, or null when it failed.</returns>
    private static double? Start(string network, List<string> created, List<string> failures)
    {
        var name = "cb-" + Guid.NewGuid().ToString("N")[..10];
        created.Add(name);
        var result = Docker.Run("run", "-d", "--name", name, "--net", network, Image, "sleep", "3600");
        if (!result.Succeeded)
        {
            failures.Add($"{network}: {result.StdErr.Trim()}");
            return null;
        }

        return result.Elapsed.TotalMilliseconds;
    }

    private static string Describe(int containers, bool agentDatapath, Series[] series, List<string> failures, string sampleAddress, bool engineStartedHere)
    {
        var agent = agentDatapath ? "agent simulator programming routes (`--datapath`)" : "agent simulator without datapath";
        var markdown = new Markdown().Heading(
            $"Docker: `docker run -d` of {containers} containers each on a Cilium network, the default bridge and a user-defined bridge, interleaved; {agent}");
        if (series.Any(s => s.Milliseconds.Count == 0))
        {
            return markdown.Paragraph("No container started on one of the networks:\n\n" + string.Join('\n', failures.Take(5).Select(f => "- " + f))).ToString();
        }

        var (cilium, bridge, userBridge) = (series[0], series[1], series[2]);
        var ratio = cilium.Median / bridge.Median;
        markdown.Table(["network", "started", "median ms", "p90 ms", "min ms", "max ms"],
        [
            Row("Cilium (managed plugin)", cilium),
            Row("default bridge", bridge),
            Row("user-defined bridge", userBridge),
        ]);
        markdown.Table(["figure", "value", "target"],
        [
            ["median start time ratio, Cilium / default bridge", Markdown.Number(ratio, 3), $"≤ {RatioTarget}: {Markdown.AtMost(ratio, RatioTarget)}"],
            ["median start time ratio, Cilium / user-defined bridge", Markdown.Number(cilium.Median / userBridge.Median, 3), "(any user-defined network has Docker's embedded DNS; the default bridge has not)"],
            ["failed `docker run`", failures.Count.ToString(CultureInfo.InvariantCulture), "0"],
        ]);
        markdown.Paragraph($"First Cilium container's address: `{sampleAddress}` (agent range {AgentSimulator.IPv4Range}). "
            + (engineStartedHere ? "dockerd was started by the benchmark." : "dockerd was already running and was used as it is."));
        if (failures.Count > 0)
        {
            markdown.Paragraph("First failures:\n\n" + string.Join('\n', failures.Distinct().Take(5).Select(f => "- " + f)));
        }

        return markdown.ToString();
    }

    private static string[] Row(string name, Series series)
    {
        var sorted = series.Milliseconds.Order().ToArray();
        return
        [
            name,
            sorted.Length.ToString(CultureInfo.InvariantCulture),
            Markdown.Number(Percentile.Median(sorted), 0),
            Markdown.Number(Percentile.Of(sorted, 0.9), 0),
            Markdown.Number(sorted[0], 0),
            Markdown.Number(sorted[^1], 0),
        ];
    }

    /// <summary>The start times measured on one network.</summary>
    private sealed class Series(string network)
    {
        public string Network { get; } = network;

        public List<double> Milliseconds { get; } = [];

        public double Median => Percentile.Median(Milliseconds);
    }
}
