using System.Diagnostics;
using System.Globalization;
using CiliumDocker.Bench.Measurement;
using CiliumDocker.Bench.Processes;
using CiliumDocker.Bench.Report;
using CiliumDocker.Bench.Wire;

namespace CiliumDocker.Bench.Benchmarks;

/// <param name="Runs">fresh processes per plugin.</param>
/// <param name="Plugin">which binary runs.</param>
/// <param name="CompareOriginal">both plugins, runs alternating (ours, original, ours, …) so that a change in the
/// machine's load falls on both alike; a simulator of its own for each.</param>
internal sealed record StartupOptions(int Runs, PluginKind Plugin = PluginKind.Ours, bool CompareOriginal = false);

/// <summary>
/// Process start to the first answered request (<c>NetworkDriver.GetCapabilities</c>, Docker's first call), and
/// to the first <c>RequestPool</c> answered (the agent's configuration fetched), over fresh processes with fresh
/// state; then the RSS of a plugin that has started and sat idle. The original fetches the agent's configuration
/// before it listens, ours after; both are timed to their first answer, which is what Docker waits for.
/// </summary>
internal static class StartupBenchmark
{
    public const double StartTargetMilliseconds = 50;
    public const double IdleRssTargetMib = 30;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan IdleTime = TimeSpan.FromSeconds(5);

    public static (string Report, bool Clean) Run(StartupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var work = WorkDirectory.Create();
        PluginKind[] kinds = options.CompareOriginal ? [PluginKind.Ours, PluginKind.Original] : [options.Plugin];
        var series = new List<Series>();
        try
        {
            // One by one inside the try, so that a simulator that fails to start never strands the one before it.
            foreach (var kind in kinds)
            {
                series.Add(new Series(kind, AgentSimulator.Start(work.Sub("sim-" + kind.Name()), datapath: false)));
            }

            for (var i = 0; i < options.Runs; i++)
            {
                foreach (var one in series)
                {
                    one.RunOnce(work.Sub($"{one.Kind.Name()}-run{i.ToString(CultureInfo.InvariantCulture)}"));
                }
            }

            foreach (var one in series)
            {
                one.MeasureIdle(work.Sub(one.Kind.Name() + "-idle"));
            }
        }
        finally
        {
            foreach (var one in series)
            {
                one.Simulator.Dispose();
            }
        }

        var report = new Markdown();
        if (options.CompareOriginal)
        {
            report.Heading($"Start-up, ours against the original plugin: {options.Runs} fresh processes each, alternating, agent simulator already running")
                .Table(PeerComparison.Header, PeerComparison.StartupRows(series[1].Figures, series[0].Figures));
        }

        foreach (var one in series)
        {
            one.Describe(report, options.Runs);
        }

        return (report.ToString(), true);
    }

    /// <summary>One plugin's start-up runs against a simulator of its own.</summary>
    private sealed class Series(PluginKind kind, AgentSimulator simulator)
    {
        private readonly List<double> _toAnswer = [];
        private readonly List<double> _toPool = [];
        private ProcessSample _idle;

        public PluginKind Kind { get; } = kind;

        public AgentSimulator Simulator { get; } = simulator;

        public StartupFigures Figures => new(
            Percentile.Median(_toAnswer), _toAnswer.Min(), Percentile.Median(_toPool), _idle.RssKiB, _idle.CpuSeconds * 1000);

        /// <summary>
        /// In the host's namespace for both kinds: neither creates a link before the first endpoint, and
        /// <c>ip netns exec</c> would add its own start-up to the figure.
        /// </summary>
        public void RunOnce(string directory)
        {
            using var plugin = PluginHost.Start(Kind, directory, Simulator.SocketPath, withVeth: true, netns: null);
            var answered = plugin.WaitUntilAnswering(StartTimeout);
            var pooled = WaitForPool(plugin);
            _toAnswer.Add(Milliseconds(answered - plugin.StartedTimestamp));
            _toPool.Add(Milliseconds(pooled - plugin.StartedTimestamp));
        }

        public void MeasureIdle(string directory)
        {
            using var plugin = PluginHost.Start(Kind, directory, Simulator.SocketPath, withVeth: true, netns: null);
            plugin.WaitUntilAnswering(StartTimeout);
            WaitForPool(plugin);
            Thread.Sleep(IdleTime);
            _idle = ProcessSample.Read(plugin.Pid);
        }

        public void Describe(Markdown report, int runs)
        {
            var ours = Kind == PluginKind.Ours;
            var medianAnswer = Percentile.Median(_toAnswer);
            var idleMib = _idle.RssKiB / 1024.0;
            var who = ours ? "our plugin" : "the original plugin (Cilium's Go cilium-docker)";
            report.Heading($"Start-up, {who}: {runs} fresh processes, agent simulator already running")
                .Table(["figure", "median", "min", "max", "target"],
                [
                    ["process start → first answered request (GetCapabilities)", Ms(medianAnswer), Ms(_toAnswer.Min()), Ms(_toAnswer.Max()),
                        ours ? $"≤ {StartTargetMilliseconds} ms: {Markdown.AtMost(medianAnswer, StartTargetMilliseconds)}" : "(peer)"],
                    ["process start → first RequestPool answered (agent config fetched)", Ms(Percentile.Median(_toPool)), Ms(_toPool.Min()), Ms(_toPool.Max()), string.Empty],
                ])
                .Table(["figure", "value", "target"],
                [
                    [$"idle RSS ({IdleTime.TotalSeconds:0} s after start, VmRSS)", Markdown.Mib(_idle.RssKiB),
                        ours ? $"≤ {IdleRssTargetMib} MiB: {Markdown.AtMost(idleMib, IdleRssTargetMib)}" : "(peer)"],
                    ["peak RSS until then (VmHWM)", Markdown.Mib(_idle.PeakRssKiB), string.Empty],
                    ["CPU time until then", Markdown.Number(_idle.CpuSeconds * 1000, 0) + " ms", string.Empty],
                ]);
        }
    }

    /// <summary>Polls RequestPool until it succeeds (then releases the pool); the plugin fetches the agent's config in the background.</summary>
    private static long WaitForPool(PluginHost plugin)
    {
        using var connection = new PluginConnection(plugin.SocketPath);
        var space = PluginNetwork.Property(PluginNetwork.Call(connection, "/IpamDriver.GetDefaultAddressSpaces", null), "LocalDefaultAddressSpace");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var response = connection.Post("/IpamDriver.RequestPool", DockerRequests.RequestPool(space));
            if (response.Succeeded)
            {
                var answered = Stopwatch.GetTimestamp();
                using var document = System.Text.Json.JsonDocument.Parse(response.Body);
                PluginNetwork.Call(connection, "/IpamDriver.ReleasePool", DockerRequests.ReleasePool(PluginNetwork.Property(document.RootElement, "PoolID")));
                return answered;
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new PluginCallFailedException("/IpamDriver.RequestPool", response);
            }

            Thread.Sleep(1);
        }
    }

    private static double Milliseconds(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;

    private static string Ms(double milliseconds) => Markdown.Number(milliseconds, 1) + " ms";
}
