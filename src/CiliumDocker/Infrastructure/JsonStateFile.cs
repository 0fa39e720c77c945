using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
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
/// One JSON document on disk, kept as a journal of whole snapshots: a save appends the newest document as one line
/// (compact JSON has no raw newline) to a file this object keeps open, and <see cref="Load"/> takes the last line that
/// parses. A crash or SIGKILL in the middle of an append leaves a torn last line, which the next start skips: the
/// save it belonged to had not returned. A save that would grow the journal past <see cref="JournalBytes"/> (or
/// 16 snapshots, for a large state), and the first save of a process, replace the file with one holding only the
/// newest line (temporary file, rename), so the journal stays small and a torn line never gets a successor.
/// Saves are group-committed: callers that change the state while another one writes wait for that writer and are
/// covered by a single write of the newest snapshot, and one flush to disk covers every
/// <see cref="StateDurability.Disk"/> change that came before it.
/// </summary>
/// <remarks>
/// Why a journal: replacing the file on every save costs the creation of an inode, a rename and the unlink of the
/// old one, which was a third of the plugin's CPU per container lifecycle (bench/README.md); an append is one
/// write(2) into the page cache. The file handle stays open for the life of the process.
/// A document written by an earlier version (one indented document) still loads: it is the whole file.
/// </remarks>
internal sealed partial class JsonStateFile<T>
    where T : class
{
    /// <summary>The journal's size beyond which the next save starts a fresh file.</summary>
    public const int JournalBytes = 256 * 1024;

    private const byte NewLine = (byte)'\n';
    private static ReadOnlySpan<byte> Whitespace => " \t\r\n"u8;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly ILogger _logger;
    private readonly Lock _writeLock = new();
    private readonly string _temporaryPath;
    private SafeFileHandle? _journal;
    private long _journalLength;
    private bool _journalEntryOnDisk;
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
        byte[] content;
        try
        {
            content = File.ReadAllBytes(Path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        if (TryParse(content, out var document, out var error))
        {
            return document;
        }

        var aside = Path + ".corrupt";
        LogCorrupt(_logger, error, Path, aside);
        File.Move(Path, aside, overwrite: true);
        return null;
    }

    /// <summary>The document as one journal line, newline included.</summary>
    public byte[] Serialize(T value)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            JsonSerializer.Serialize(writer, value, _typeInfo);
        }

        buffer.GetSpan(1)[0] = NewLine;
        buffer.Advance(1);
        return buffer.WrittenSpan.ToArray();
    }

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
    /// <paramref name="durability"/> asks. <paramref name="snapshot"/> serializes (with <see cref="Serialize"/>) the
    /// newest state and its version under the caller's lock; it is not called when another caller's write already
    /// covered this change.
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

    /// <summary>The whole content as one document (a file of an earlier version, or a journal of one line), else its
    /// last line that parses.</summary>
    private bool TryParse(ReadOnlySpan<byte> content, [NotNullWhen(true)] out T? document, [NotNullWhen(false)] out JsonException? error)
    {
        error = content.Trim(Whitespace).IsEmpty ? new JsonException("the file is empty") : null;
        if (TryDeserialize(content, out document, ref error))
        {
            return true;
        }

        var rest = content;
        while (!rest.IsEmpty)
        {
            var newline = rest.LastIndexOf(NewLine);
            if (TryDeserialize(rest[(newline + 1)..], out document, ref error))
            {
                return true;
            }

            rest = newline < 0 ? [] : rest[..newline];
        }

        error ??= new JsonException("the file holds no document");
        return false;
    }

    private bool TryDeserialize(ReadOnlySpan<byte> json, [NotNullWhen(true)] out T? document, ref JsonException? error)
    {
        document = null;
        if (json.Trim(Whitespace).IsEmpty)
        {
            return false;
        }

        try
        {
            document = JsonSerializer.Deserialize(json, _typeInfo);
            error ??= document is null ? new JsonException("the document is null") : null;
        }
        catch (JsonException ex)
        {
            error ??= ex;
        }

        return document is not null;
    }

    private void Write(byte[] line, bool flush)
    {
        if (_journal is null || _journalLength + line.Length > Math.Max(JournalBytes, 16L * line.Length))
        {
            Replace(line, flush);
            return;
        }

        RandomAccess.Write(_journal, line, _journalLength);
        _journalLength += line.Length;
        if (flush)
        {
            RandomAccess.FlushToDisk(_journal);
            if (!_journalEntryOnDisk)
            {
                FlushDirectory();
                _journalEntryOnDisk = true;
            }
        }
    }

    private void Replace(byte[] line, bool flush)
    {
        var handle = File.OpenHandle(_temporaryPath, FileMode.Create, FileAccess.Write, FileShare.Read);
        try
        {
            RandomAccess.Write(handle, line, fileOffset: 0);
            if (flush)
            {
                RandomAccess.FlushToDisk(handle);
            }

            File.Move(_temporaryPath, Path, overwrite: true);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        _journal?.Dispose();
        _journal = handle;
        _journalLength = line.Length;
        _journalEntryOnDisk = false;
        if (flush)
        {
            FlushDirectory();
            _journalEntryOnDisk = true;
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
