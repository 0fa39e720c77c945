using CiliumDocker.Observability;
using NUnit.Framework;

namespace CiliumDocker.Tests.Observability;

internal sealed class PluginMetricsTests
{
    [Test]
    public void RecordCall_BucketsAreCumulativeAndCountEveryCall()
    {
        var metrics = new PluginMetrics();

        metrics.RecordCall("A", CallOutcome.Success, TimeSpan.FromMilliseconds(0.5));
        metrics.RecordCall("A", CallOutcome.Error, TimeSpan.FromMilliseconds(7));
        metrics.RecordCall("A", CallOutcome.Success, TimeSpan.FromSeconds(60));

        var call = metrics.SnapshotCalls().Single();
        Assert.Multiple(() =>
        {
            Assert.That(call.CumulativeBuckets, Is.EqualTo(new long[] { 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3 }));
            Assert.That(call.Count, Is.EqualTo(3));
            Assert.That(call.SumSeconds, Is.EqualTo(60.0075).Within(1e-9));
            Assert.That((call.Outcomes[CallOutcome.Success], call.Outcomes[CallOutcome.Error]), Is.EqualTo((2L, 1L)));
        });
    }

    [Test]
    public void SnapshotCalls_IsSortedByName()
    {
        var metrics = new PluginMetrics();
        metrics.RecordCall("b", CallOutcome.Success, TimeSpan.Zero);
        metrics.RecordCall("a", CallOutcome.Success, TimeSpan.Zero);

        Assert.That(metrics.SnapshotCalls().Select(call => call.Call), Is.EqualTo(new[] { "a", "b" }));
    }
}
