using System.Text;

namespace CiliumDocker.Observability;

/// <summary>
/// Writes every log entry as one line on the plugin's standard output, where Docker collects a plugin's log:
/// <c>2026-12-04T18:00:27.360Z info: Category[EventId] message exception</c>, line breaks folded into spaces, as
/// the SimpleConsole logger's single-line mode writes it. That logger's options monitors (one per formatter, each an
/// open generic the Native AOT runtime builds at start-up) and its queue thread took a third of the CPU the plugin spent
/// before its first answer (10 of 30 ms) and 2 to 3 MiB of its memory; a plugin that logs two lines per container needs neither.
/// </summary>
/// <remarks>Each line is one write of the whole line on a synchronized writer: lines of concurrent calls never
/// interleave. Levels and categories are filtered by the logger factory, before an entry gets here.</remarks>
internal sealed class LineLoggerProvider(TextWriter output, TimeProvider timeProvider) : ILoggerProvider
{
    private readonly TextWriter _output = TextWriter.Synchronized(output ?? throw new ArgumentNullException(nameof(output)));

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, categoryName);

    public void Dispose() => _output.Flush();

    private void Write(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var line = new StringBuilder(64 + category.Length + message.Length);
        line.Append(timeProvider.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(LevelName(level))
            .Append(": ")
            .Append(category)
            .Append('[')
            .Append(eventId.Id)
            .Append("] ");
        AppendFolded(line, message);
        if (exception is not null)
        {
            line.Append(' ');
            AppendFolded(line, exception.ToString());
        }

        line.Append('\n');
        _output.Write(line.ToString());
        _output.Flush();
    }

    private static void AppendFolded(StringBuilder line, string text)
    {
        foreach (var c in text)
        {
            line.Append(c is '\n' or '\r' ? ' ' : c);
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class LineLogger(LineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, category, eventId, formatter(state, exception), exception);
            }
        }
    }
}
