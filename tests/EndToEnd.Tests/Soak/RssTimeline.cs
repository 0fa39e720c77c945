using System.Diagnostics;
using System.Globalization;

namespace EndToEnd.Tests.Soak;

/// <summary>The plugin's RSS sampled over the soak, to tell a working size that settles from one that keeps growing.</summary>
internal sealed class RssTimeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan At, long KiB)> _samples = [];

    public long PeakKiB => _samples.Count == 0 ? 0 : _samples.Max(s => s.KiB);

    public void Add(long kib) => _samples.Add((_clock.Elapsed, kib));

    /// <summary>The first sample taken at or after <paramref name="at"/>, or null if the soak ended before.</summary>
    public long? SettledKiB(TimeSpan at) => _samples.Where(s => s.At >= at).Select(s => (long?)s.KiB).FirstOrDefault();

    /// <summary>Ten samples spread over the soak: "0 s 26 MiB, 30 s 31 MiB, ...".</summary>
    public override string ToString()
    {
        if (_samples.Count == 0)
        {
            return "no samples";
        }

        var step = Math.Max(1, _samples.Count / 10);
        var shown = _samples.Where((_, i) => i % step == 0 || i == _samples.Count - 1);
        return string.Join(", ", shown.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.At.TotalSeconds:0} s {s.KiB / 1024.0:0.0} MiB")));
    }
}
