using System.IO.Pipelines;
using System.Text;
using CiliumDocker.Labels;
using NUnit.Framework;

namespace CiliumDocker.Tests.Labels;

[TestFixture]
internal sealed class DockerEventStreamReaderTests
{
    private const string StartA = """{"status":"start","id":"aaa","Type":"container","Action":"start","Actor":{"ID":"aaa","Attributes":{"name":"x"}},"scope":"local","time":1,"timeNano":1}""";
    private const string StartB = """{"Type":"container","Action":"start","Actor":{"ID":"bbb"}}""";

    [Test]
    [CancelAfter(5000)]
    public async Task ReadAsync_OneEventPerLine_YieldsEachEvent(CancellationToken cancellationToken)
    {
        var (events, malformed) = await ReadAllAsync(StartA + "\n" + StartB + "\n", 1024, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Actor?.Id), Is.EqualTo(new[] { "aaa", "bbb" }));
            Assert.That(events[0].Type, Is.EqualTo("container"));
            Assert.That(events[0].Action, Is.EqualTo("start"));
            Assert.That(malformed, Is.Empty);
        });
    }

    [Test]
    [CancelAfter(5000)]
    public async Task ReadAsync_MalformedLines_SkipsThemAndKeepsReading(CancellationToken cancellationToken)
    {
        var text = "not json\n" + "{\"Type\":\n" + "[1,2]\n" + "null\n" + "\r\n" + "   \n" + StartB + "\n";

        var (events, malformed) = await ReadAllAsync(text, 1024, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Actor?.Id), Is.EqualTo(new[] { "bbb" }));
            Assert.That(malformed, Has.Count.EqualTo(4));
            Assert.That(malformed[0], Does.Contain("not valid JSON").And.Contain("not json"));
        });
    }

    [Test]
    [CancelAfter(5000)]
    public async Task ReadAsync_EventSplitAcrossWrites_IsReassembled(CancellationToken cancellationToken)
    {
        var pipe = new Pipe();
        var reading = CollectAsync(pipe.Reader.AsStream(), 1024, cancellationToken);
        var bytes = Encoding.UTF8.GetBytes(StartA + "\n" + StartB + "\n");
        foreach (var chunk in bytes.Chunk(7))
        {
            await pipe.Writer.WriteAsync(chunk, cancellationToken);
        }

        await pipe.Writer.CompleteAsync();
        var (events, malformed) = await reading;

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Actor?.Id), Is.EqualTo(new[] { "aaa", "bbb" }));
            Assert.That(malformed, Is.Empty);
        });
    }

    [Test]
    [CancelAfter(5000)]
    public async Task ReadAsync_LineLongerThanLimit_IsSkippedWithoutBufferingIt(CancellationToken cancellationToken)
    {
        var huge = "{\"Type\":\"container\",\"pad\":\"" + new string('x', 5000) + "\"}";

        var (events, malformed) = await ReadAllAsync(huge + "\n" + StartB + "\n", 256, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Actor?.Id), Is.EqualTo(new[] { "bbb" }));
            Assert.That(malformed, Is.EqualTo(new[] { "a line longer than 256 bytes was skipped" }));
        });
    }

    [Test]
    [CancelAfter(5000)]
    public async Task ReadAsync_LastEventWithoutNewline_IsStillRead(CancellationToken cancellationToken)
    {
        var (events, _) = await ReadAllAsync(StartB, 1024, cancellationToken);

        Assert.That(events.Select(e => e.Actor?.Id), Is.EqualTo(new[] { "bbb" }));
    }

    [Test]
    [CancelAfter(5000)]
    public async Task ReadAsync_StreamCutMidEvent_ReportsTheFragment(CancellationToken cancellationToken)
    {
        var (events, malformed) = await ReadAllAsync(StartB + "\n" + StartA[..40], 1024, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(events, Has.Count.EqualTo(1));
            Assert.That(malformed, Has.Count.EqualTo(1));
        });
    }

    private static Task<(List<DockerEvent> Events, List<string> Malformed)> ReadAllAsync(string text, int maxLineBytes, CancellationToken cancellationToken) =>
        CollectAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), maxLineBytes, cancellationToken);

    private static async Task<(List<DockerEvent> Events, List<string> Malformed)> CollectAsync(Stream stream, int maxLineBytes, CancellationToken cancellationToken)
    {
        var events = new List<DockerEvent>();
        var malformed = new List<string>();
        await foreach (var dockerEvent in DockerEventStreamReader.ReadAsync(stream, maxLineBytes, malformed.Add, cancellationToken))
        {
            events.Add(dockerEvent);
        }

        return (events, malformed);
    }
}
