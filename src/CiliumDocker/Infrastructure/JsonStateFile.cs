using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CiliumDocker.Infrastructure;

/// <summary>How much of the machine may fail after a save returns without losing what it saved.</summary>
internal enum StateDurability
{
    /// <summary>
    /// In the kernel's page cache: the plugin process may crash, be killed or restart, and the next one reads the
    /// document. Only a kernel crash or power loss can lose it, and that also ends every container and so every
    /// address and endpoint the document speaks of, unless an agent elsewhere outlives it (see <see cref="Disk"/>).
    /// </summary>
    ProcessCrash,

    /// <summary>
    /// Flushed to the disk (file and directory): survives a kernel crash or power loss as well. For what the agent
    /// would hold for good if this plugin forgot it across a reboot: releases still owed to it and addresses reserved
    /// without the agent's own expiration.
    /// </summary>
    Disk,
}

/// <summary>
/// One JSON document on disk, replaced atomically (temp file, rename) so that a crash or SIGKILL at any moment leaves
/// either the old or the new document, never a torn one. Saves are group-committed: callers that change the state
/// while another one writes wait for that writer and are covered by a single write of the newest snapshot, and one
/// flush to disk covers every <see cref="StateDurability.Disk"/> change that came before it.
/// </summary>
internal sealed partial class JsonStateFile<T>
    where T : class
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly ILogger _logger;
    private readonly Lock _writeLock = new();
    private readonly string _temporaryPath;
    private long _written;
    private long _flushed;

    public JsonStateFile(string path, JsonTypeInfo<T> typeInfo, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(logger);
        Path = path;
        _typeInfo = typeInfo;
        _logger = logger;
        _temporaryPath = path + ".tmp";
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

    public byte[] Serialize(T value) => JsonSerializer.SerializeToUtf8Bytes(value, _typeInfo);

    /// <summary>Writes <paramref name="value"/> now, flushed to disk.</summary>
    public void Save(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var snapshot = Serialize(value);
        lock (_writeLock)
        {
            Write(snapshot, flush: true);
        }
    }

    /// <summary>
    /// Returns once change <paramref name="version"/> (counted up by the caller, one per change) is stored as
    /// <paramref name="durability"/> asks. <paramref name="snapshot"/> serializes the newest state and its version
    /// under the caller's lock; it is not called when another caller's write already covered this change.
    /// </summary>
    public void Commit(long version, StateDurability durability, Func<(byte[] Document, long Version)> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var flush = durability == StateDurability.Disk;
        lock (_writeLock)
        {
            if (_written >= version && (!flush || _flushed >= version))
            {
                return;
            }

            var (document, covered) = snapshot();
            Write(document, flush);
            _written = covered;
            if (flush)
            {
                _flushed = covered;
            }
        }
    }

    private void Write(byte[] document, bool flush)
    {
        using (var handle = File.OpenHandle(_temporaryPath, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, document, fileOffset: 0);
            if (flush)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }

        File.Move(_temporaryPath, Path, overwrite: true);
        if (flush)
        {
            FlushDirectory();
        }
    }

    /// <summary>The rename reaches the disk only with its directory; without this a reboot may bring back the old document.</summary>
    private void FlushDirectory()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        var fd = StateFileNative.OpenReadOnly(directory);
        if (fd < 0)
        {
            throw new IOException($"cannot open {directory} to flush it: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (StateFileNative.Fsync(fd) != 0)
            {
                throw new IOException($"cannot flush {directory}: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = StateFileNative.Close(fd);
        }
    }

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "state file {Path} is unreadable and was moved to {Aside}; starting from empty state")]
    private static partial void LogCorrupt(ILogger logger, Exception exception, string path, string aside);
}

/// <summary>.NET cannot open a directory as a file, and only an fsync of the directory makes a rename durable.</summary>
internal static partial class StateFileNative
{
    public static int OpenReadOnly(string path) => Open(path, flags: 0);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
