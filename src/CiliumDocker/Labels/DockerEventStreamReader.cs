using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace CiliumDocker.Labels;

/// <summary>
/// Splits Docker's event stream (one JSON object per line, as Go's json.Encoder writes it) into events.
/// A line that is not an event is reported and skipped: one bad message must not cost the stream and with it
/// the labels of every container started until the reconnect.
/// </summary>
internal static class DockerEventStreamReader
{
    private const int ExcerptChars = 120;

    /// <param name="onMalformed">Called with a short description of each skipped line.</param>
    public static async IAsyncEnumerable<DockerEvent> ReadAsync(
        Stream stream,
        int maxLineBytes,
        Action<string> onMalformed,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(onMalformed);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 2);

        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var skippingOverlongLine = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var events = new List<DockerEvent>();
                while (TrySplitLine(ref buffer, out var line))
                {
                    if (skippingOverlongLine)
                    {
                        skippingOverlongLine = false;
                    }
                    else if (Parse(line, onMalformed) is { } parsed)
                    {
                        events.Add(parsed);
                    }
                }

                if (buffer.Length > maxLineBytes)
                {
                    // Drop what we hold of it now rather than buffering an unbounded line.
                    if (!skippingOverlongLine)
                    {
                        onMalformed($"a line longer than {maxLineBytes} bytes was skipped");
                    }

                    skippingOverlongLine = true;
                    buffer = buffer.Slice(buffer.End);
                }

                if (result.IsCompleted && !buffer.IsEmpty && !skippingOverlongLine && Parse(buffer, onMalformed) is { } last)
                {
                    events.Add(last);
                    buffer = buffer.Slice(buffer.End);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                foreach (var dockerEvent in events)
                {
                    yield return dockerEvent;
                }

                if (result.IsCompleted)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private static bool TrySplitLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private static DockerEvent? Parse(ReadOnlySequence<byte> line, Action<string> onMalformed)
    {
        if (IsBlank(line))
        {
            return null;
        }

        try
        {
            var json = new Utf8JsonReader(line);
            var dockerEvent = JsonSerializer.Deserialize(ref json, DockerApiJsonContext.Default.DockerEvent);
            if (dockerEvent is null)
            {
                onMalformed("a null event was skipped");
            }

            return dockerEvent;
        }
        catch (JsonException ex)
        {
            onMalformed($"an event that is not valid JSON was skipped ({ex.Message}): {Excerpt(line)}");
            return null;
        }
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string Excerpt(ReadOnlySequence<byte> line)
    {
        var head = line.Slice(0, Math.Min(line.Length, ExcerptChars * 4L));
        var text = Encoding.UTF8.GetString(head);
        return text.Length > ExcerptChars ? text[..ExcerptChars] + "…" : text;
    }
}
