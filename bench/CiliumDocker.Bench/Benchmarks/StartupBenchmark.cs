using System.Diagnostics;
using System.Globalization;
using CiliumDocker.Bench.Measurement;
using CiliumDocker.Bench.Processes;
using CiliumDocker.Bench.Report;
using CiliumDocker.Bench.Wire;

namespace CiliumDocker.Bench.Benchmarks;

/// <summary>
/// Process start to the first answered request (<c>NetworkDriver.GetCapabilities</c>, Docker's first call), and
/// to the first <c>RequestPool</c> answered (the agent's configuration fetched), over fresh processes with fresh
/// state; then the RSS of a plugin that has started and sat idle.
/// </summary>
internal static class StartupBenchmark
{
    public const double StartTargetMilliseconds = 50;
    public const double IdleRssTargetMib = 30;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan IdleTime = TimeSpan.FromSeconds(5);

    public static (string Report, bool Clean) Run(int runs)
    {
        using var work = WorkDirectory.Create();
        using var simulator = AgentSimulator.Start(work.Sub("sim"), datapath: false);
        var toAnswer = new List<double>();
        var toPool = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            using var plugin = PluginHost.Start(work.Sub("run" + i.ToString(CultureInfo.InvariantCulture)), simulator.SocketPath, withVeth: true, netns: null);
            var answered = plugin.WaitUntilAnswering(StartTimeout);
            var pooled = WaitForPool(plugin);
            toAnswer.Add(Milliseconds(answered - plugin.StartedTimestamp));
            toPool.Add(Milliseconds(pooled - plugin.StartedTimestamp));
        }

        ProcessSample idle;
        using (var plugin = PluginHost.Start(work.Sub("idle"), simulator.SocketPath, withVeth: true, netns: null))
        {
            plugin.WaitUntilAnswering(StartTimeout);
            WaitForPool(plugin);
            Thread.Sleep(IdleTime);
            idle = ProcessSample.Read(plugin.Pid);
        }

        var medianAnswer = Percentile.Median(toAnswer);
        var idleMib = idle.RssKiB / 1024.0;
        var report = new Markdown()
            .Heading($"Start-up: {runs} fresh processes, agent simulator already running")
            .Table(["figure", "median", "min", "max", "target"],
            [
                ["process start → first answered request (GetCapabilities)", Ms(medianAnswer), Ms(toAnswer.Min()), Ms(toAnswer.Max()),
                    $"≤ {StartTargetMilliseconds} ms: {Markdown.AtMost(medianAnswer, StartTargetMilliseconds)}"],
                ["process start → first RequestPool answered (agent config fetched)", Ms(Percentile.Median(toPool)), Ms(toPool.Min()), Ms(toPool.Max()), string.Empty],
            ])
            .Table(["figure", "value", "target"],
            [
                [$"idle RSS ({IdleTime.TotalSeconds:0} s after start, VmRSS)", Markdown.Mib(idle.RssKiB), $"≤ {IdleRssTargetMib} MiB: {Markdown.AtMost(idleMib, IdleRssTargetMib)}"],
                ["peak RSS until then (VmHWM)", Markdown.Mib(idle.PeakRssKiB), string.Empty],
                ["CPU time until then", Markdown.Number(idle.CpuSeconds * 1000, 0) + " ms", string.Empty],
            ]);
        return (report.ToString(), true);
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
