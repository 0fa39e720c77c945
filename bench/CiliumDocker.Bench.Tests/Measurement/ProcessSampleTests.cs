using CiliumDocker.Bench.Measurement;

namespace CiliumDocker.Bench.Tests.Measurement;

public sealed class ProcessSampleTests
{
    [Test]
    public void ParseCpuTicks_CommandWithSpacesAndParens_AddsUtimeAndStime()
    {
        // Fields 14 (utime) = 250 and 15 (stime) = 70; the command name holds ") (" to trip a naive split.
        const string stat = "4242 (odd ) (name) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 70 0 0 20 0 9 0 123 456 789";

        Assert.That(ProcessSample.ParseCpuTicks(stat), Is.EqualTo(320));
    }

    [Test]
    public void ParseCpuTicks_Truncated_ThrowsFormatException() =>
        Assert.That(() => ProcessSample.ParseCpuTicks("1 (x) S 1 2"), Throws.InstanceOf<FormatException>());

    [Test]
    public void ParseStatusKiB_ReadsTheNamedLine()
    {
        const string status = "Name:\tcilium-docker\nVmHWM:\t   24576 kB\nVmRSS:\t   20480 kB\n";

        Assert.Multiple(() =>
        {
            Assert.That(ProcessSample.ParseStatusKiB(status, "VmHWM"), Is.EqualTo(24576));
            Assert.That(ProcessSample.ParseStatusKiB(status, "VmRSS"), Is.EqualTo(20480));
        });
    }

    [Test]
    public void ParseStatusKiB_MissingKey_ThrowsFormatException() =>
        Assert.That(() => ProcessSample.ParseStatusKiB("Name:\tx\n", "VmRSS"), Throws.InstanceOf<FormatException>().With.Message.Contains("VmRSS"));

    [Test]
    public void Read_OwnProcess_HasCpuTimeAndMemory()
    {
        var sample = ProcessSample.Read(Environment.ProcessId);

        Assert.Multiple(() =>
        {
            Assert.That(sample.CpuTicks, Is.GreaterThan(0));
            Assert.That(sample.RssKiB, Is.GreaterThan(0));
            Assert.That(sample.PeakRssKiB, Is.GreaterThanOrEqualTo(sample.RssKiB));
            Assert.That(ProcessSample.TicksPerSecond, Is.EqualTo(100), "Linux's USER_HZ");
        });
    }
}
