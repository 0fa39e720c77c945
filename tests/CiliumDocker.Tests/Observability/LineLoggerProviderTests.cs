using CiliumDocker.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Observability;

internal sealed class LineLoggerProviderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 18, 0, 27, 360, TimeSpan.Zero);

    [Test]
    public void Log_WritesOneLineWithUtcTimeLevelCategoryEventIdAndMessage()
    {
        var output = new StringWriter();
        using var provider = new LineLoggerProvider(output, new FakeTimeProvider(Now));

        provider.CreateLogger("CiliumDocker.Endpoints.EndpointLifecycle").Log(LogLevel.Information, new EventId(201, "Created"), "container abc started", null, static (state, _) => state);

        Assert.That(output.ToString(), Is.EqualTo("2026-12-04T18:00:27.360Z info: CiliumDocker.Endpoints.EndpointLifecycle[201] container abc started\n"));
    }

    [TestCase(LogLevel.Trace, "trce")]
    [TestCase(LogLevel.Debug, "dbug")]
    [TestCase(LogLevel.Warning, "warn")]
    [TestCase(LogLevel.Error, "fail")]
    [TestCase(LogLevel.Critical, "crit")]
    public void Log_NamesTheLevelAsTheConsoleLoggerDoes(LogLevel level, string name)
    {
        var output = new StringWriter();
        using var provider = new LineLoggerProvider(output, new FakeTimeProvider(Now));

        provider.CreateLogger("c").Log(level, default, "m", null, static (state, _) => state);

        Assert.That(output.ToString(), Does.StartWith($"2026-12-04T18:00:27.360Z {name}: c[0] m"));
    }

    [Test]
    public void Log_MessageAndExceptionOnSeveralLines_StayOnOneLine()
    {
        var output = new StringWriter();
        using var provider = new LineLoggerProvider(output, new FakeTimeProvider(Now));
        var failure = new InvalidOperationException("agent said\nno");

        provider.CreateLogger("c").Log(LogLevel.Error, new EventId(4), "first\r\nsecond", failure, static (state, _) => state);

        var text = output.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(text.TrimEnd('\n'), Does.Not.Contain('\n').And.Not.Contain('\r'));
            Assert.That(text, Does.StartWith("2026-12-04T18:00:27.360Z fail: c[4] first  second System.InvalidOperationException: agent said no"));
        });
    }

    [Test]
    public void Log_FromManyThreads_NeverInterleavesLines()
    {
        var output = new StringWriter();
        using var provider = new LineLoggerProvider(output, new FakeTimeProvider(Now));
        var logger = provider.CreateLogger("c");
        var message = new string('x', 200);

        Parallel.For(0, 2000, i => logger.Log(LogLevel.Information, new EventId(i), message, null, static (state, _) => state));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(2000));
            Assert.That(lines, Has.All.Match(@"^2026-12-04T18:00:27\.360Z info: c\[\d+\] x{200}$"));
        });
    }

    [Test]
    public void Logger_FromTheFactory_KeepsTheFactorysLevelFilter()
    {
        var output = new StringWriter();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(new LineLoggerProvider(output, new FakeTimeProvider(Now))).SetMinimumLevel(LogLevel.Warning));

        var logger = factory.CreateLogger("c");
        logger.LogInformation("dropped");
        logger.LogWarning("kept");

        Assert.That(output.ToString(), Is.EqualTo("2026-12-04T18:00:27.360Z warn: c[0] kept\n"));
    }
}
