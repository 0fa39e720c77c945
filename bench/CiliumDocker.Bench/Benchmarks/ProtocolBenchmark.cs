using System.Diagnostics;
using CiliumDocker.Bench.Measurement;
using CiliumDocker.Bench.Processes;
using CiliumDocker.Bench.Report;
using CiliumDocker.Bench.Wire;

namespace CiliumDocker.Bench.Benchmarks;

/// <param name="Concurrency">workers, each on its own keep-alive connection, as concurrent containers are.</param>
/// <param name="Lifecycles">measured container lifecycles in all.</param>
/// <param name="Warmup">lifecycles run before measuring (connections, pools, first allocations).</param>
/// <param name="WithVeth">the plugin creates veth pairs (inside a fresh network namespace), else <c>--datapath none</c>.</param>
/// <param name="Plugin">which binary runs (the original always creates veth pairs).</param>
/// <param name="CompareOriginal">run three measurements on the same load, each with a fresh simulator: ours
/// without veth, the original (veth, in a netns), ours with veth (in a netns); then the ratios.</param>
/// <param name="Rounds">with <paramref name="CompareOriginal"/>: how many times the three run, the order rotating each
/// round, so that a change in the shared machine's load falls on every plugin alike; the ratios are of the medians.</param>
internal sealed record ProtocolOptions(
    int Concurrency, int Lifecycles, int Warmup, bool WithVeth, PluginKind Plugin = PluginKind.Ours, bool CompareOriginal = false, int Rounds = 1);

/// <summary>
/// Drives the plugin socket as libnetwork does for containers' lives, with C concurrent workers, against the agent
/// simulator (no datapath), and measures throughput, per-call latency, the plugin's CPU time and memory; with
/// <see cref="ProtocolOptions.CompareOriginal"/>, for our plugin and the original on the same load.
/// </summary>
internal static class ProtocolBenchmark
{
    public const double CpuTargetMicroseconds = 350;
    public const double P99TargetMilliseconds = 2;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <returns>the report, and whether every lifecycle succeeded and nothing was left behind.</returns>
    public static (string Report, bool Clean) Run(ProtocolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.CompareOriginal)
        {
            var single = Measure(options, options.Plugin, options.WithVeth || options.Plugin == PluginKind.Original);
            return (single.Report, single.Clean);
        }

        // Round r starts at configuration r mod 3: each comes first, in the middle and last equally often.
        (PluginKind Kind, bool WithVeth)[] configurations = [(PluginKind.Ours, false), (PluginKind.Original, true), (PluginKind.Ours, true)];
        var runs = configurations.Select(_ => new List<Measurement>()).ToArray();
        for (var round = 0; round < options.Rounds; round++)
        {
            for (var step = 0; step < configurations.Length; step++)
            {
                var index = (round + step) % configurations.Length;
                runs[index].Add(Measure(options, configurations[index].Kind, configurations[index].WithVeth, options.Rounds > 1 ? round + 1 : null));
            }
        }

        var (oursNone, original, oursVeth) = (runs[0], runs[1], runs[2]);
        var clean = runs.All(list => list.All(m => m.Clean || m.PeerFailuresOnly));
        var rounds = options.Rounds > 1 ? $", {options.Rounds} rounds in rotating order (figures: medians of the rounds)" : string.Empty;
        var comparison = new Markdown()
            .Heading($"Ours against the original plugin, same run: C={options.Concurrency}, {options.Lifecycles} lifecycles, {options.Warmup} warm-up, a fresh simulator each{rounds}")
            .Paragraph("Issue 14's comparison: ours without veth (`--datapath none`) against the original (veth pairs, in its own netns)."
                + ByRound(oursNone, original))
            .Table(PeerComparison.Header, PeerComparison.ProtocolRows(Median(original), Median(oursNone), headline: true))
            .Paragraph("Like for like: ours with veth (in its own netns) against the original (veth pairs, in its own netns)."
                + ByRound(oursVeth, original))
            .Table(PeerComparison.Header, PeerComparison.ProtocolRows(Median(original), Median(oursVeth), headline: false));
        if (!clean)
        {
            comparison.Paragraph("**The comparison is invalid**: a run had failed calls, leftovers or warnings (see its section below); "
                + "ratios over failed calls measure nothing.");
        }
        else if (original.Any(m => !m.Clean))
        {
            comparison.Paragraph($"The original failed {original.Sum(m => m.Run.Failures.Count)} lifecycle(s) of its own (see its sections below: its "
                + "temporary veth names are `tmp` and 5 random hex digits, which collide under concurrent creations); under "
                + $"{Measurement.PeerFailureShare:P0} of its lifecycles with nothing left behind, they do not move the ratios.");
        }

        return (comparison + string.Concat(runs.SelectMany(list => list).Select(m => m.Report)), clean);
    }

    private static ProtocolFigures Median(IEnumerable<Measurement> runs) => ProtocolFigures.Median(runs.Select(m => m.Figures));

    /// <summary>The per-round ratios, so that a reader sees the spread the medians hide.</summary>
    private static string ByRound(IReadOnlyList<Measurement> ours, IReadOnlyList<Measurement> original) =>
        ours.Count < 2 ? string.Empty
            : " By round, throughput " + string.Join(", ", ours.Zip(original, (u, o) => PeerComparison.Ratio(u.Figures.LifecyclesPerSecond, o.Figures.LifecyclesPerSecond)))
              + "; CPU per lifecycle " + string.Join(", ", ours.Zip(original, (u, o) => PeerComparison.Ratio(u.Figures.PluginCpuMicroseconds, o.Figures.PluginCpuMicroseconds))) + ".";

    /// <summary>One plugin, with a fresh simulator, work directory and (for veths) namespace of its own.</summary>
    /// <param name="round">shown in the report's heading when there are several rounds.</param>
    private static Measurement Measure(ProtocolOptions options, PluginKind kind, bool withVeth, int? round = null)
    {
        using var work = WorkDirectory.Create();
        using var simulator = AgentSimulator.Start(work.Sub("sim"), datapath: false);
        using var netns = withVeth ? NetworkNamespace.Create() : null;
        using var plugin = PluginHost.Start(kind, work.Sub("plugin"), simulator.SocketPath, withVeth, netns);
        plugin.WaitUntilAnswering(StartTimeout);
        using var setup = new PluginConnection(plugin.SocketPath);
        var network = PluginNetwork.Create(setup, StartTimeout);

        var run = RunWorkers(plugin, simulator, network, options);

        var leftAllocations = simulator.StateCount("addresses");
        var leftEndpoints = simulator.StateCount("endpoints");
        var leftLinks = netns?.LinkNames().Count(n => n.StartsWith("lxc", StringComparison.Ordinal) || n.StartsWith("tmp", StringComparison.Ordinal));
        network.Delete(setup);
        // The original answers 200 to Leave and DeleteEndpoint whatever the agent or the kernel said, and only logs it.
        var logProblems = kind == PluginKind.Original ? OriginalPlugin.Problems(plugin.ReadLog()) : [];

        return new Measurement(options, kind, withVeth, round, run, leftAllocations, leftEndpoints, leftLinks, logProblems);
    }

    private static RunResult RunWorkers(PluginHost plugin, AgentSimulator simulator, PluginNetwork network, ProtocolOptions options)
    {
        var recorders = Enumerable.Range(0, options.Concurrency)
            .Select(_ => new CallRecorder(options.Lifecycles / options.Concurrency + 1) { Enabled = false })
            .ToArray();
        var failures = new List<string>();
        var remaining = options.Lifecycles;
        // Phase 0: everyone warmed up; phase 1: the clock is running.
        using var barrier = new Barrier(options.Concurrency + 1);
        var threads = recorders.Select((recorder, index) => new Thread(() =>
        {
            using var connection = new PluginConnection(plugin.SocketPath);
            var warmup = options.Warmup / options.Concurrency + (index < options.Warmup % options.Concurrency ? 1 : 0);
            for (var i = 0; i < warmup; i++)
            {
                Note(failures, ContainerLifecycle.Run(connection, network, recorder), "warm-up: ");
            }

            recorder.Enabled = true;
            barrier.SignalAndWait();
            barrier.SignalAndWait();
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                Note(failures, ContainerLifecycle.Run(connection, network, recorder), string.Empty);
            }
        })
        { IsBackground = true, Name = "worker " + index }).ToArray();

        foreach (var thread in threads)
        {
            thread.Start();
        }

        barrier.SignalAndWait();
        var pluginBefore = ProcessSample.Read(plugin.Pid);
        var simulatorBefore = ProcessSample.Read(simulator.Pid);
        var clock = Stopwatch.StartNew();
        barrier.SignalAndWait();
        foreach (var thread in threads)
        {
            thread.Join();
        }

        clock.Stop();
        var pluginAfter = ProcessSample.Read(plugin.Pid);
        var simulatorAfter = ProcessSample.Read(simulator.Pid);
        return new RunResult(recorders, failures, clock.Elapsed, pluginBefore, pluginAfter, simulatorBefore, simulatorAfter);
    }

    private static void Note(List<string> failures, string? failure, string prefix)
    {
        if (failure is null)
        {
            return;
        }

        lock (failures)
        {
            failures.Add(prefix + failure);
        }
    }

    private static string Describe(Measurement measurement)
    {
        var (options, run) = (measurement.Options, measurement.Run);
        var ours = measurement.Kind == PluginKind.Ours;
        var lifecycles = options.Lifecycles;
        var pluginCpuMicros = measurement.Figures.PluginCpuMicroseconds;
        var simulatorCpuMicros = (run.SimulatorAfter.CpuSeconds - run.SimulatorBefore.CpuSeconds) * 1e6 / lifecycles;
        var veth = measurement.WithVeth ? "with veth (plugin in its own netns)" : "without veth (`--datapath none`)";
        var plugin = ours ? "our plugin" : "the original plugin (Cilium's Go cilium-docker)";
        var cpuTarget = !ours ? "(peer)"
            : measurement.WithVeth ? "(no target with veth)"
            : $"≤ {CpuTargetMicroseconds} µs: {Markdown.AtMost(pluginCpuMicros, CpuTargetMicroseconds)}";
        var markdown = new Markdown()
            .Heading($"Protocol load, {plugin}: C={options.Concurrency}, {lifecycles} lifecycles, {veth}"
                + (measurement.Round is { } round ? $" (round {round})" : string.Empty))
            .Table(["figure", "value", "target"],
            [
                ["container lifecycles per second", Markdown.Number(measurement.Figures.LifecyclesPerSecond, 0), string.Empty],
                ["plugin CPU per lifecycle (utime+stime)", Markdown.Number(pluginCpuMicros, 0) + " µs", cpuTarget],
                ["agent simulator CPU per lifecycle", Markdown.Number(simulatorCpuMicros, 0) + " µs", "(not the plugin's)"],
                ["plugin peak RSS (VmHWM)", Markdown.Mib(run.PluginAfter.PeakRssKiB), string.Empty],
                ["plugin RSS after the run", Markdown.Mib(run.PluginAfter.RssKiB), string.Empty],
                ["failed lifecycles (warm-up included)", run.Failures.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "0"],
                ["left at the agent (addresses / endpoints)", $"{Count(measurement.LeftAllocations)} / {Count(measurement.LeftEndpoints)}", "0 / 0"],
                .. measurement.WithVeth ? new[] { new[] { "veths left in the namespace", Count(measurement.LeftLinks), "0" } } : [],
                .. ours ? [] : new[] { new[] { "warnings and errors in the plugin's log", Count(measurement.LogProblems.Count), "0" } },
            ]);

        var rows = new List<IReadOnlyList<string>>();
        foreach (var call in Enum.GetValues<LifecycleCall>())
        {
            var sorted = CallRecorder.SortedMilliseconds(run.Recorders, call);
            if (sorted.Length == 0)
            {
                rows.Add([call.ToString(), "0", "-", "-", "-", string.Empty]);
                continue;
            }

            var p99 = Percentile.Of(sorted, 0.99);
            rows.Add(
            [
                call.ToString(),
                sorted.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markdown.Number(Percentile.Of(sorted, 0.50), 3),
                Markdown.Number(p99, 3),
                Markdown.Number(sorted[^1], 3),
                ours && options.Concurrency == 8 ? $"≤ {P99TargetMilliseconds} ms: {Markdown.AtMost(p99, P99TargetMilliseconds)}" : string.Empty,
            ]);
        }

        markdown.Table(["call", "count", "p50 ms", "p99 ms", "max ms", "p99 target (C=8)"], rows);
        if (run.Failures.Count > 0)
        {
            markdown.Paragraph("First failures:\n\n" + string.Join('\n', run.Failures.Distinct().Take(5).Select(f => "- " + f)));
        }

        if (measurement.LogProblems.Count > 0)
        {
            markdown.Paragraph("First log warnings:\n\n" + string.Join('\n', measurement.LogProblems.Take(5).Select(l => "- `" + l.Trim() + "`")));
        }

        return markdown.ToString();
    }

    private static string Count(int? count) => count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";

    /// <summary>One plugin's run and what it left behind.</summary>
    private sealed record Measurement(
        ProtocolOptions Options,
        PluginKind Kind,
        bool WithVeth,
        int? Round,
        RunResult Run,
        int? LeftAllocations,
        int? LeftEndpoints,
        int? LeftLinks,
        IReadOnlyList<string> LogProblems)
    {
        private int LeftOver => (LeftAllocations ?? 0) + (LeftEndpoints ?? 0) + (LeftLinks ?? 0);

        /// <summary>The original's own failures the comparison tolerates: a share of its lifecycles, nothing left behind.</summary>
        public const double PeerFailureShare = 0.01;

        /// <summary>Unknown leftovers (a simulator without the state array) count as clean, as before the peer existed.</summary>
        public bool Clean => Run.Failures.Count == 0 && LeftOver == 0 && LogProblems.Count == 0;

        /// <summary>The peer failed a few lifecycles, each answered with an error and undone: a fact about the original
        /// (reported with its first errors), not a broken measurement. Ours gets no such allowance.</summary>
        public bool PeerFailuresOnly => Kind == PluginKind.Original && LeftOver == 0
            && Run.Failures.Count <= PeerFailureShare * Options.Lifecycles && LogProblems.Count <= Run.Failures.Count;

        public ProtocolFigures Figures => new(
            Options.Lifecycles / Run.Elapsed.TotalSeconds,
            PluginCpuMicroseconds,
            Run.PluginAfter.PeakRssKiB,
            Run.Failures.Count + LeftOver + LogProblems.Count);

        private double PluginCpuMicroseconds => (Run.PluginAfter.CpuSeconds - Run.PluginBefore.CpuSeconds) * 1e6 / Options.Lifecycles;

        public string Report => Describe(this);
    }

    private sealed record RunResult(
        IReadOnlyList<CallRecorder> Recorders,
        List<string> Failures,
        TimeSpan Elapsed,
        ProcessSample PluginBefore,
        ProcessSample PluginAfter,
        ProcessSample SimulatorBefore,
        ProcessSample SimulatorAfter);
}
