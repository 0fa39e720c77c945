using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CiliumDocker.Infrastructure;

/// <summary>
/// One JSON document on disk, replaced atomically (temp file, fsync, rename) so that a crash or SIGKILL at any
/// moment leaves either the old or the new document, never a torn one.
/// </summary>
internal sealed partial class JsonStateFile<T>
    where T : class
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly ILogger _logger;

    public JsonStateFile(string path, JsonTypeInfo<T> typeInfo, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(logger);
        Path = path;
        _typeInfo = typeInfo;
        _logger = logger;
    }

    public string Path { get; }

    /// <summary>The stored document, or null when there is none. An unreadable file is moved aside, not fatal:
    /// the plugin must keep serving, and the agent's expiration still frees what the lost file tracked.</summary>
    public T? Load()
    {
        try
        {
            using var stream = File.OpenRead(Path);
            return JsonSerializer.Deserialize(stream, _typeInfo);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            var aside = Path + ".corrupt";
            LogCorrupt(_logger, ex, Path, aside);
            File.Move(Path, aside, overwrite: true);
            return null;
        }
    }

    public void Save(T value)
    {
        var temporary = Path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, value, _typeInfo);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path, overwrite: true);
    }

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "state file {Path} is unreadable and was moved to {Aside}; starting from empty state")]
    private static partial void LogCorrupt(ILogger logger, Exception exception, string path, string aside);
}
