using CiliumDocker.Bench.Report;

namespace CiliumDocker.Bench.Tests.Report;

public sealed class PeerComparisonTests
{
    [TestCase(450.0, 100.0, "4.50×")]
    [TestCase(1.0, 3.0, "0.33×")]
    [TestCase(5.0, 0.0, "n/a")]
    [TestCase(double.NaN, 1.0, "n/a")]
    public void Ratio_IsOursOverOriginal(double ours, double original, string expected) =>
        Assert.That(PeerComparison.Ratio(ours, original), Is.EqualTo(expected));

    [Test]
    public void ProtocolRows_AtTheBounds_AreMet()
    {
        var original = new ProtocolFigures(100, 5000, 20_000, 0);
        // 24414 KiB = 24,999,936 bytes: just inside the decimal 25 MB.
        var ours = new ProtocolFigures(450, 1000, 24_414, 0);

        var rows = PeerComparison.ProtocolRows(original, ours, headline: true);

        Assert.Multiple(() =>
        {
            Assert.That(rows[0], Is.EqualTo(new[] { "container lifecycles per second", "100", "450", "4.50×", "≥ 4.5×: met" }));
            Assert.That(rows[1], Is.EqualTo(new[] { "plugin CPU per lifecycle (utime+stime)", "5000 µs", "1000 µs", "0.20×", "≤ 0.2×: met" }));
            Assert.That(rows[2][4], Is.EqualTo("ours ≤ 25 MB (23.8 MiB): met"));
            Assert.That(rows[3], Is.EqualTo(new[] { "problems (failed lifecycles, leftovers, log warnings)", "0", "0", string.Empty, "0 and 0" }));
        });
    }

    [Test]
    public void ProtocolRows_JustPastTheBounds_AreMissed()
    {
        var rows = PeerComparison.ProtocolRows(new ProtocolFigures(100, 5000, 20_000, 2), new ProtocolFigures(449, 1001, 24_415, 0), headline: true);

        Assert.Multiple(() =>
        {
            Assert.That(rows[0][4], Does.EndWith("**missed**"));
            Assert.That(rows[1][4], Does.EndWith("**missed**"));
            Assert.That(rows[2][4], Does.EndWith("**missed**"));
            Assert.That(rows[3][1], Is.EqualTo("2"));
        });
    }

    [Test]
    public void ProtocolRows_NotTheHeadline_AreMarkedReference() =>
        Assert.That(PeerComparison.ProtocolRows(new ProtocolFigures(100, 5000, 20_000, 0), new ProtocolFigures(50, 6000, 40_000, 0), headline: false)
                .Take(3).Select(row => row[4]),
            Has.All.StartWith("(reference) "));

    [Test]
    public void StartupRows_OursNotSlower_IsMet()
    {
        var original = new StartupFigures(40, 30, 41, 18_432, 10);
        var ours = new StartupFigures(40, 35, 60, 25_600, 70);

        var rows = PeerComparison.StartupRows(original, ours);

        Assert.Multiple(() =>
        {
            Assert.That(rows[0], Is.EqualTo(new[] { "process start → first answered request, median", "40.0 ms", "40.0 ms", "1.00×", "ours ≤ original: met" }));
            Assert.That(rows[3], Is.EqualTo(new[] { "idle RSS (VmRSS)", "18.0 MiB", "25.0 MiB", "1.39×", string.Empty }));
            Assert.That(rows[4][3], Is.EqualTo("7.00×"));
        });
    }

    [Test]
    public void StartupRows_OursSlower_IsMissed() =>
        Assert.That(PeerComparison.StartupRows(new StartupFigures(40, 30, 41, 1, 1), new StartupFigures(40.1, 30, 41, 1, 1))[0][4],
            Is.EqualTo("ours ≤ original: **missed**"));

    [Test]
    public void Median_TakesEachFiguresMedian_AndSumsTheProblems()
    {
        var median = ProtocolFigures.Median(
        [
            new ProtocolFigures(300, 900, 30_000, 0),
            new ProtocolFigures(100, 1500, 20_000, 1),
            new ProtocolFigures(200, 1200, 40_000, 0),
        ]);

        Assert.That(median, Is.EqualTo(new ProtocolFigures(200, 1200, 30_000, 1)));
    }

    [Test]
    public void Median_OfOneRound_IsThatRound() =>
        Assert.That(ProtocolFigures.Median([new ProtocolFigures(1, 2, 3, 0)]), Is.EqualTo(new ProtocolFigures(1, 2, 3, 0)));

    [Test]
    public void Header_HasTheIssuesColumns() =>
        Assert.That(PeerComparison.Header, Is.EqualTo(new[] { "figure", "original", "ours", "ours / original", "target" }));
}
