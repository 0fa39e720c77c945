using System.Diagnostics;
using CiliumDocker.Bench.Wire;

namespace CiliumDocker.Bench.Measurement;

/// <summary>Durations of one worker's calls, by call; one recorder per worker, so recording takes no lock.</summary>
internal sealed class CallRecorder
{
    private readonly List<long>[] _ticks;

    public CallRecorder(int expectedPerCall)
    {
        _ticks = Enum.GetValues<LifecycleCall>().Select(_ => new List<long>(expectedPerCall)).ToArray();
    }

    /// <summary>When false, calls are made but not kept (warm-up).</summary>
    public bool Enabled { get; set; } = true;

    public void Record(LifecycleCall call, long stopwatchTicks)
    {
        if (Enabled)
        {
            _ticks[(int)call].Add(stopwatchTicks);
        }
    }

    /// <summary>All workers' durations of <paramref name="call"/>, in milliseconds, sorted.</summary>
    public static double[] SortedMilliseconds(IEnumerable<CallRecorder> recorders, LifecycleCall call)
    {
        ArgumentNullException.ThrowIfNull(recorders);
        var all = recorders.SelectMany(r => r._ticks[(int)call]).Select(t => t * 1000.0 / Stopwatch.Frequency).ToArray();
        Array.Sort(all);
        return all;
    }
}
