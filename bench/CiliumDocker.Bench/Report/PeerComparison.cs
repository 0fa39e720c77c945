using System.Globalization;
using CiliumDocker.Bench.Measurement;

namespace CiliumDocker.Bench.Report;

/// <summary>The figures of one protocol run that issue 14 compares between the two plugins.</summary>
/// <param name="Problems">failed lifecycles, leftovers at the agent or in the namespace, and (for the original)
/// warnings in its log: anything that makes the run's figures not a measurement of successful lifecycles.</param>
internal sealed record ProtocolFigures(double LifecyclesPerSecond, double PluginCpuMicroseconds, long PeakRssKiB, int Problems)
{
    /// <summary>Each figure's median over rounds; problems are summed, since one failed round spoils the comparison.</summary>
    public static ProtocolFigures Median(IEnumerable<ProtocolFigures> rounds)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        var all = rounds.ToArray();
        return new ProtocolFigures(
            Percentile.Median(all.Select(f => f.LifecyclesPerSecond)),
            Percentile.Median(all.Select(f => f.PluginCpuMicroseconds)),
            (long)Math.Round(Percentile.Median(all.Select(f => (double)f.PeakRssKiB))),
            all.Sum(f => f.Problems));
    }
}

/// <summary>Start-up figures of one plugin over its runs (medians), for the side-by-side table.</summary>
internal sealed record StartupFigures(double MedianToAnswerMs, double MinToAnswerMs, double MedianToPoolMs, long IdleRssKiB, double IdleCpuMs);

/// <summary>
/// The tables that set our plugin beside the original in the same run (issue 14's targets): throughput ≥ 4.5×,
/// CPU per lifecycle ≤ 0.2×, our peak RSS under load ≤ 25 MB, our start-up not slower. Ratios are always
/// ours / original, so "4.5×" reads "ours does 4.5 times as many".
/// </summary>
internal static class PeerComparison
{
    public const double ThroughputRatioTarget = 4.5;
    public const double CpuRatioTarget = 0.2;

    /// <summary>25 MB in bytes: decimal megabytes, the stricter reading of the "25 MB" (23.8 MiB).</summary>
    public const double PeakRssTargetBytes = 25_000_000;

    public const double StartupRatioTarget = 1.0;

    public static string Ratio(double ours, double original) =>
        original > 0 && double.IsFinite(ours) ? Markdown.Number(ours / original, 2) + "×" : "n/a";

    /// <summary>One comparison's rows: figure, original, ours, ours/original, target.</summary>
    /// <param name="headline">the comparison the targets are set for; the other is shown against the same
    /// bounds but marked as reference, so that nobody reads a like-for-like verdict as the issue's.</param>
    public static IReadOnlyList<IReadOnlyList<string>> ProtocolRows(ProtocolFigures original, ProtocolFigures ours, bool headline)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(ours);
        var throughputRatio = ours.LifecyclesPerSecond / original.LifecyclesPerSecond;
        var cpuRatio = ours.PluginCpuMicroseconds / original.PluginCpuMicroseconds;
        var oursPeakBytes = ours.PeakRssKiB * 1024.0;
        var prefix = headline ? string.Empty : "(reference) ";
        return
        [
            ["container lifecycles per second", Markdown.Number(original.LifecyclesPerSecond, 0), Markdown.Number(ours.LifecyclesPerSecond, 0),
                Ratio(ours.LifecyclesPerSecond, original.LifecyclesPerSecond),
                $"{prefix}≥ {Markdown.Number(ThroughputRatioTarget, 1)}×: {Markdown.AtLeast(throughputRatio, ThroughputRatioTarget)}"],
            ["plugin CPU per lifecycle (utime+stime)", Markdown.Number(original.PluginCpuMicroseconds, 0) + " µs", Markdown.Number(ours.PluginCpuMicroseconds, 0) + " µs",
                Ratio(ours.PluginCpuMicroseconds, original.PluginCpuMicroseconds),
                $"{prefix}≤ {Markdown.Number(CpuRatioTarget, 1)}×: {Markdown.AtMost(cpuRatio, CpuRatioTarget)}"],
            ["plugin peak RSS under load (VmHWM)", Markdown.Mib(original.PeakRssKiB), Markdown.Mib(ours.PeakRssKiB),
                Ratio(ours.PeakRssKiB, original.PeakRssKiB),
                $"{prefix}ours ≤ 25 MB (23.8 MiB): {Markdown.AtMost(oursPeakBytes, PeakRssTargetBytes)}"],
            ["problems (failed lifecycles, leftovers, log warnings)", Count(original.Problems), Count(ours.Problems), string.Empty, "0 and 0"],
        ];
    }

    public static IReadOnlyList<IReadOnlyList<string>> StartupRows(StartupFigures original, StartupFigures ours)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(ours);
        return
        [
            ["process start → first answered request, median", Ms(original.MedianToAnswerMs), Ms(ours.MedianToAnswerMs),
                Ratio(ours.MedianToAnswerMs, original.MedianToAnswerMs),
                $"ours ≤ original: {Markdown.AtMost(ours.MedianToAnswerMs / original.MedianToAnswerMs, StartupRatioTarget)}"],
            ["process start → first answered request, min", Ms(original.MinToAnswerMs), Ms(ours.MinToAnswerMs),
                Ratio(ours.MinToAnswerMs, original.MinToAnswerMs), string.Empty],
            ["process start → first RequestPool answered, median", Ms(original.MedianToPoolMs), Ms(ours.MedianToPoolMs),
                Ratio(ours.MedianToPoolMs, original.MedianToPoolMs), string.Empty],
            ["idle RSS (VmRSS)", Markdown.Mib(original.IdleRssKiB), Markdown.Mib(ours.IdleRssKiB), Ratio(ours.IdleRssKiB, original.IdleRssKiB), string.Empty],
            ["CPU time from start to idle", Markdown.Number(original.IdleCpuMs, 0) + " ms", Markdown.Number(ours.IdleCpuMs, 0) + " ms",
                Ratio(ours.IdleCpuMs, original.IdleCpuMs), string.Empty],
        ];
    }

    public static IReadOnlyList<string> Header { get; } = ["figure", "original", "ours", "ours / original", "target"];

    private static string Count(int count) => count.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double milliseconds) => Markdown.Number(milliseconds, 1) + " ms";
}
