using CiliumDocker.Bench.Measurement;

namespace CiliumDocker.Bench.Tests.Measurement;

public sealed class PercentileTests
{
    private static readonly double[] Hundred = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

    [TestCase(0.50, 50)]
    [TestCase(0.99, 99)]
    [TestCase(1.00, 100)]
    [TestCase(0.001, 1)]
    public void Of_OneToHundred_IsTheNearestRank(double q, double expected) =>
        Assert.That(Percentile.Of(Hundred, q), Is.EqualTo(expected));

    [Test]
    public void Of_FewValues_P99IsTheLargest() =>
        Assert.That(Percentile.Of([1.0, 2.0, 3.0], 0.99), Is.EqualTo(3.0));

    [Test]
    public void Of_NoValues_Throws() =>
        Assert.That(() => Percentile.Of([], 0.5), Throws.ArgumentException.With.Message.Contains("no values"));

    [Test]
    public void Of_QuantileOutOfRange_Throws() =>
        Assert.That(() => Percentile.Of(Hundred, 1.5), Throws.InstanceOf<ArgumentOutOfRangeException>());

    [Test]
    public void Median_EvenCount_AveragesTheMiddleTwo() =>
        Assert.That(Percentile.Median([4.0, 1.0, 3.0, 2.0]), Is.EqualTo(2.5));

    [Test]
    public void Median_OddCount_IsTheMiddle() =>
        Assert.That(Percentile.Median([9.0, 1.0, 5.0]), Is.EqualTo(5.0));
}
