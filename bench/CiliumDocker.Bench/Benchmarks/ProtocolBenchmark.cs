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
internal sealed record ProtocolOptions(int Concurrency, int Lifecycles, int Warmup, bool WithVeth);

/// <summary>
/// Drives the plugin socket as libnetwork does for containers' lives, with C concurrent workers, against the agent
/// simulator (no datapath), and measures throughput, per-call latency, the plugin's CPU time and memory.
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
        using var work = WorkDirectory.Create();
        using var simulator = AgentSimulator.Start(work.Sub("sim"), datapath: false);
        using var netns = options.WithVeth ? NetworkNamespace.Create() : null;
        using var plugin = PluginHost.Start(work.Sub("plugin"), simulator.SocketPath, options.WithVeth, netns);
        plugin.WaitUntilAnswering(StartTimeout);
        using var setup = new PluginConnection(plugin.SocketPath);
        var network = PluginNetwork.Create(setup, StartTimeout);

        var run = RunWorkers(plugin, simulator, network, options);

        var leftAllocations = simulator.StateCount("addresses");
        var leftEndpoints = simulator.StateCount("endpoints");
        var leftLinks = netns?.LinkNames().Count(n => n.StartsWith("lxc", StringComparison.Ordinal) || n.StartsWith("tmp", StringComparison.Ordinal));
        network.Delete(setup);

        var clean = run.Failures.Count == 0 && leftAllocations is 0 or null && leftEndpoints is 0 or null && leftLinks is 0 or null;
        return (Describe(options, run, leftAllocations, leftEndpoints, leftLinks), clean);
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

    private static string Describe(ProtocolOptions options, RunResult run, int? leftAllocations, int? leftEndpoints, int? leftLinks)
    {
        var lifecycles = options.Lifecycles;
        var pluginCpuMicros = (run.PluginAfter.CpuSeconds - run.PluginBefore.CpuSeconds) * 1e6 / lifecycles;
        var simulatorCpuMicros = (run.SimulatorAfter.CpuSeconds - run.SimulatorBefore.CpuSeconds) * 1e6 / lifecycles;
        var veth = options.WithVeth ? "with veth (plugin in its own netns)" : "without veth (`--datapath none`)";
        var markdown = new Markdown()
            .Heading($"Protocol load: C={options.Concurrency}, {lifecycles} lifecycles, {veth}")
            .Table(["figure", "value", "target"],
            [
                ["container lifecycles per second", Markdown.Number(lifecycles / run.Elapsed.TotalSeconds, 0), string.Empty],
                ["plugin CPU per lifecycle (utime+stime)", Markdown.Number(pluginCpuMicros, 0) + " µs",
                    options.WithVeth ? "(no target with veth)" : $"≤ {CpuTargetMicroseconds} µs: {Markdown.AtMost(pluginCpuMicros, CpuTargetMicroseconds)}"],
                ["agent simulator CPU per lifecycle", Markdown.Number(simulatorCpuMicros, 0) + " µs", "(not the plugin's)"],
                ["plugin peak RSS (VmHWM)", Markdown.Mib(run.PluginAfter.PeakRssKiB), string.Empty],
                ["plugin RSS after the run", Markdown.Mib(run.PluginAfter.RssKiB), string.Empty],
                ["failed lifecycles (warm-up included)", run.Failures.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "0"],
                ["left at the agent (addresses / endpoints)", $"{Count(leftAllocations)} / {Count(leftEndpoints)}", "0 / 0"],
                .. options.WithVeth ? new[] { new[] { "veths left in the namespace", Count(leftLinks), "0" } } : [],
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
                options.Concurrency == 8 ? $"≤ {P99TargetMilliseconds} ms: {Markdown.AtMost(p99, P99TargetMilliseconds)}" : string.Empty,
            ]);
        }

        markdown.Table(["call", "count", "p50 ms", "p99 ms", "max ms", "p99 target (C=8)"], rows);
        if (run.Failures.Count > 0)
        {
            markdown.Paragraph("First failures:\n\n" + string.Join('\n', run.Failures.Distinct().Take(5).Select(f => "- " + f)));
        }

        return markdown.ToString();
    }

    private static string Count(int? count) => count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";

    private sealed record RunResult(
        IReadOnlyList<CallRecorder> Recorders,
        List<string> Failures,
        TimeSpan Elapsed,
        ProcessSample PluginBefore,
        ProcessSample PluginAfter,
        ProcessSample SimulatorBefore,
        ProcessSample SimulatorAfter);
}
