using System.Globalization;
using CiliumDocker.Bench.Processes;

namespace CiliumDocker.Bench.Measurement;

/// <summary>CPU time and memory of a process, read from <c>/proc/PID/stat</c> and <c>/proc/PID/status</c>.</summary>
internal readonly record struct ProcessSample(long CpuTicks, long RssKiB, long PeakRssKiB)
{
    private const int ScClkTck = 2;

    /// <summary>Kernel clock ticks per second (<c>sysconf(_SC_CLK_TCK)</c>, 100 on Linux).</summary>
    public static long TicksPerSecond { get; } = Native.Sysconf(ScClkTck) is > 0 and var ticks ? ticks : 100;

    public double CpuSeconds => (double)CpuTicks / TicksPerSecond;

    public static ProcessSample Read(int pid) =>
        new(ParseCpuTicks(File.ReadAllText($"/proc/{pid}/stat")), StatusKiB(pid, "VmRSS"), StatusKiB(pid, "VmHWM"));

    /// <summary>utime + stime: fields 14 and 15, counted after the parenthesised command name (which may hold spaces).</summary>
    internal static long ParseCpuTicks(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            throw new FormatException("not a /proc/PID/stat line: " + stat);
        }

        // After ") " the fields start at field 3 (state); utime is field 14, stime field 15.
        var fields = stat[(close + 2)..].Split(' ');
        if (fields.Length < 13)
        {
            throw new FormatException("too few fields in /proc/PID/stat: " + stat);
        }

        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    internal static long ParseStatusKiB(string status, string key)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                var value = line[(key.Length + 1)..].Trim();
                return long.Parse(value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            }
        }

        throw new FormatException($"no {key} in /proc/PID/status");
    }

    private static long StatusKiB(int pid, string key) => ParseStatusKiB(File.ReadAllText($"/proc/{pid}/status"), key);
}
