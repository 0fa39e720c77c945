using System.Text;
using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;
using CiliumDocker.Observability;
using CiliumDocker.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Protocol;

[CancelAfter(5_000)]
internal sealed class PluginCallDispatcherTests
{
    private readonly FakeTimeProvider _time = new();
    private PluginMetrics _metrics = null!;
    private PluginCallDispatcher _dispatcher = null!;

    [SetUp]
    public void SetUp()
    {
        _metrics = new PluginMetrics();
        _dispatcher = new PluginCallDispatcher(TimeSpan.FromSeconds(20), _metrics, _time, NullLogger<PluginCallDispatcher>.Instance);
    }

    [Test]
    public async Task Dispatch_Success_RecordsDurationFromTheTimeProvider()
    {
        var context = NewContext();

        await _dispatcher.DispatchAsync(context, "IpamDriver.Test", "POST", (ctx, _) =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
            return PluginCallDispatcher.WriteJsonAsync(ctx.Response, EmptyResponse.Instance, DockerJsonContext.Default.EmptyResponse);
        });

        var call = _metrics.SnapshotCalls().Single();
        Assert.Multiple(() =>
        {
            Assert.That(Body(context), Is.EqualTo("{}"));
            Assert.That(call.Outcomes[CallOutcome.Success], Is.EqualTo(1));
            Assert.That(call.SumSeconds, Is.EqualTo(0.02).Within(1e-9));
            Assert.That(call.CumulativeBuckets[2], Is.Zero, "20 ms is above the 10 ms bucket");
            Assert.That(call.CumulativeBuckets[3], Is.EqualTo(1), "and inside the 50 ms bucket");
        });
    }

    private static readonly Func<string, Exception>[] KnownFailures =
    [
        message => new RequestRefusedException(message),
        message => new CiliumAgentException(message, AgentFailure.ServerError, 502),
        message => new CiliumDocker.Datapath.DatapathException(message),
    ];

    [TestCaseSource(nameof(KnownFailures))]
    public async Task Dispatch_KnownFailure_Answers500WithItsMessage(Func<string, Exception> failure)
    {
        var context = NewContext();
        var exception = failure("what went wrong and what to do");

        await _dispatcher.DispatchAsync(context, "NetworkDriver.Test", "POST", (_, _) => throw exception);

        Assert.Multiple(() =>
        {
            Assert.That(context.Response.StatusCode, Is.EqualTo(500));
            Assert.That(Body(context), Is.EqualTo("""{"Err":"what went wrong and what to do","Error":"what went wrong and what to do"}"""));
            Assert.That(_metrics.SnapshotCalls().Single().Outcomes[CallOutcome.Error], Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Dispatch_UnexpectedException_Answers500WithoutStackTrace()
    {
        var context = NewContext();

        await _dispatcher.DispatchAsync(context, "NetworkDriver.Test", "POST", (_, _) => throw new InvalidOperationException("a bug"));

        Assert.Multiple(() =>
        {
            Assert.That(context.Response.StatusCode, Is.EqualTo(500));
            Assert.That(Body(context), Does.Contain("NetworkDriver.Test failed unexpectedly (InvalidOperationException: a bug)").And.Not.Contain(" at "));
        });
    }

    [Test]
    public async Task Dispatch_DockerHungUp_WritesNothingAndCountsAborted()
    {
        using var aborted = new CancellationTokenSource();
        var context = NewContext();
        context.RequestAborted = aborted.Token;

        await _dispatcher.DispatchAsync(context, "NetworkDriver.Test", "POST", async (_, ct) =>
        {
            await aborted.CancelAsync();
            ct.ThrowIfCancellationRequested();
        });

        Assert.Multiple(() =>
        {
            Assert.That(Body(context), Is.Empty);
            Assert.That(_metrics.SnapshotCalls().Single().Outcomes[CallOutcome.Aborted], Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Dispatch_BodyTooLarge_ExplainsTheLimit()
    {
        var context = NewContext();

        await _dispatcher.DispatchAsync(context, "NetworkDriver.Test", "POST", (_, _) => throw new BadHttpRequestException("Request body too large.", 413));

        Assert.That(Body(context), Does.Contain("larger than the plugin accepts"));
    }

    [Test]
    public async Task NotFound_AnyPath_Answers404AndCountsUnderOneLabel()
    {
        var first = NewContext("/Foo.Bar");
        var second = NewContext("/Baz");

        await _dispatcher.NotFoundAsync(first);
        await _dispatcher.NotFoundAsync(second);

        Assert.Multiple(() =>
        {
            Assert.That(first.Response.StatusCode, Is.EqualTo(404));
            Assert.That(_metrics.SnapshotCalls().Single().Call, Is.EqualTo("unknown"));
            Assert.That(_metrics.SnapshotCalls().Single().Outcomes[CallOutcome.NotFound], Is.EqualTo(2));
        });
    }

    private static DefaultHttpContext NewContext(string path = "/X.Y")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
