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
/// One JSON document on disk, kept as a journal: a file this object keeps open, one line a record (compact JSON has no
/// raw newline). A record is either a snapshot, the whole state as one object, or, for a state that is an
/// <see cref="IKeyedState{TSelf}"/>, a change: an array of key and part pairs, <c>["10.0.0.1",{…}]</c>, each part
/// replacing what its key held. <see cref="Load"/> replays the records in order from the first snapshot.
/// A crash or SIGKILL in the middle of an append leaves a torn last line, which the next start skips: the save it
/// belonged to had not returned. The first write of a process, and a write that would grow the journal past
/// <see cref="JournalBytes"/> (or 16 snapshots, for a large state), replace the file with one holding only a snapshot
/// (temporary file, rename), so the journal stays small and a torn line never gets a successor.
/// Writes are group-committed: changes queued while another caller writes are covered by that caller's next write,
/// one write(2) for all of them, and one flush to disk covers every <see cref="StateDurability.Disk"/> change before it.
/// </summary>
/// <remarks>
/// Why a journal: replacing the file on every save costs the creation of an inode, a rename and the unlink of the
/// old one, which was a third of the plugin's CPU per container lifecycle (bench/README.md); an append is one
/// write(2) into the page cache. Why changes rather than snapshots: serializing the whole state on every change, under
/// its owner's lock, was the largest share of the plugin's own CPU after that (bench/README.md); a change is the few
/// entries of one or two keys. A document written by an earlier version (one indented document, or a journal of
/// snapshots) still loads. An earlier version reading this journal takes its last snapshot and skips the change
/// records (an array is not the document it expects), so a downgrade loses the changes since that snapshot, which
/// the agent's own expiration covers for addresses.
/// </remarks>
internal sealed partial class JsonStateFile<T>
    where T : class
{
    /// <summary>The journal's size beyond which the next write starts a fresh file.</summary>
    public const int JournalBytes = 256 * 1024;

    private const byte NewLine = (byte)'\n';
    private static ReadOnlySpan<byte> Whitespace => " \t\r\n"u8;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly ILogger _logger;
    private readonly Lock _writeLock = new();
    private readonly Lock _queueLock = new();
    private readonly string _temporaryPath;
    private ArrayBufferWriter<byte> _queued = new(1024);
    private ArrayBufferWriter<byte> _writing = new(1024);
    private long _queuedVersion;
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

        var replay = Replay(content);
        if (replay.State is null)
        {
            var aside = Path + ".corrupt";
            LogCorrupt(_logger, replay.Error!, Path, aside);
            File.Move(Path, aside, overwrite: true);
            return null;
        }

        if (replay.IgnoredLines > 0)
        {
            // The next write replaces the file; the copy keeps what was skipped for the operator.
            var aside = Path + ".corrupt";
            File.Copy(Path, aside, overwrite: true);
            LogRecordsIgnored(_logger, replay.Error!, Path, replay.LastLine, replay.IgnoredLines, aside);
        }

        return replay.State;
    }

    /// <summary>The document as one journal line, newline included.</summary>
    public byte[] Serialize(T value)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
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
    /// Queues change <paramref name="version"/> (counted up by the caller, one per change) as one record: the parts
    /// of <paramref name="state"/> that <paramref name="keys"/> own, or with <paramref name="keys"/> null the whole
    /// state. Call it under the lock that orders the owner's changes, right after the change, so the journal replays
    /// them in that order; <see cref="Commit"/> writes it.
    /// </summary>
    public void QueueChange(long version, T state, IReadOnlyCollection<string>? keys)
    {
        ArgumentNullException.ThrowIfNull(state);
        var keyed = keys is null ? null : (IKeyedState<T>)state;
        lock (_queueLock)
        {
            using (var writer = new Utf8JsonWriter(_queued))
            {
                if (keyed is null)
                {
                    JsonSerializer.Serialize(writer, state, _typeInfo);
                }
                else
                {
                    writer.WriteStartArray();
                    foreach (var key in keys!)
                    {
                        writer.WriteStringValue(key);
                        keyed.WritePart(writer, key);
                    }

                    writer.WriteEndArray();
                }
            }

            _queued.GetSpan(1)[0] = NewLine;
            _queued.Advance(1);
            _queuedVersion = version;
        }
    }

    /// <summary>
    /// The whole state as one snapshot record, for <see cref="Commit"/>'s snapshot: call it under the lock that
    /// orders the owner's changes. Changes queued until now are dropped: the snapshot holds them. (Replaying them
    /// after it would do no harm, only write them twice: each key's last record is its part as the snapshot has it.)
    /// </summary>
    public byte[] Snapshot(T state)
    {
        var document = Serialize(state);
        lock (_queueLock)
        {
            _queued.ResetWrittenCount();
        }

        return document;
    }

    /// <summary>
    /// Returns once change <paramref name="version"/> is stored as <paramref name="durability"/> asks: its queued
    /// record, with every record queued before and after it, or a snapshot. <paramref name="snapshot"/> takes
    /// (with <see cref="Snapshot"/>) the newest state and its version under the owner's lock; it is called when the
    /// journal must start afresh, or when the change was never queued (an owner that only takes snapshots).
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

            if (_written < version || _journal is null)
            {
                WriteQueuedOrSnapshot(version, flush, snapshot);
            }
            else
            {
                FlushJournal();
            }

            if (flush)
            {
                _flushed = _written;
            }
        }
    }

    private void WriteQueuedOrSnapshot(long version, bool flush, Func<(byte[] Document, long Version)> snapshot)
    {
        long covered;
        lock (_queueLock)
        {
            (_queued, _writing) = (_writing, _queued);
            covered = _queuedVersion;
        }

        try
        {
            if (covered < version || _journal is null || _journalLength + _writing.WrittenCount > JournalBytes)
            {
                (var document, covered) = snapshot();
                Write(document, flush);
            }
            else
            {
                Write(_writing.WrittenSpan, flush);
            }

            _written = covered;
        }
        catch
        {
            // The records taken from the queue are lost with this write: only a snapshot can store them now, and a
            // fresh file is what the next write makes.
            _journal?.Dispose();
            _journal = null;
            throw;
        }
        finally
        {
            _writing.ResetWrittenCount();
        }
    }

    /// <summary>The whole content as one document (a file of an earlier version), else its records replayed in
    /// order up to the first that does not parse: a torn last line is skipped, lines after a bad one are counted.</summary>
    private ReplayResult Replay(ReadOnlySpan<byte> content)
    {
        if (content.Trim(Whitespace).IsEmpty)
        {
            return new(null, new JsonException("the file is empty"), 0, 0);
        }

        if (TryDeserialize(content, out var whole, out _))
        {
            return new(whole, null, 1, 0);
        }

        T? state = null;
        var line = 0;
        var rest = content;
        while (!rest.IsEmpty)
        {
            var newline = rest.IndexOf(NewLine);
            var record = (newline < 0 ? rest : rest[..newline]).Trim(Whitespace);
            rest = newline < 0 ? [] : rest[(newline + 1)..];
            line++;
            if (record.IsEmpty)
            {
                continue;
            }

            if (!TryApply(record, ref state, out var error))
            {
                return new(state, error, line, CountRecords(rest));
            }
        }

        return state is null
            ? new(null, new JsonException("the file holds no document"), line, 0)
            : new(state, null, line, 0);
    }

    private bool TryApply(ReadOnlySpan<byte> record, ref T? state, [NotNullWhen(false)] out JsonException? error)
    {
        if (record[0] != (byte)'[')
        {
            if (!TryDeserialize(record, out var snapshot, out error))
            {
                return false;
            }

            state = snapshot;
            return true;
        }

        if (state is not IKeyedState<T> keyed)
        {
            error = new JsonException(state is null ? "a change before any snapshot" : $"a change record for {typeof(T).Name}, which is stored whole");
            return false;
        }

        try
        {
            List<(string Key, T Part)> parts = [];
            var reader = new Utf8JsonReader(record);
            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var key = reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("a change record's key is not a string");
                Expect(ref reader, JsonTokenType.StartObject);
                parts.Add((key, JsonSerializer.Deserialize(ref reader, _typeInfo) ?? throw new JsonException("a change record's part is null")));
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                throw new JsonException("a change record does not end where its array does");
            }

            // Applied only once the whole record parsed: a torn record changes nothing.
            foreach (var (key, part) in parts)
            {
                keyed.ReplacePart(key, part);
            }

            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = ex;
            return false;
        }
        catch (ArgumentException ex)
        {
            error = new JsonException($"a change record the state refuses: {ex.Message}", ex);
            return false;
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (!reader.Read() || reader.TokenType != token)
        {
            throw new JsonException($"a change record has {reader.TokenType} where {token} belongs");
        }
    }

    private static int CountRecords(ReadOnlySpan<byte> rest)
    {
        var count = 0;
        foreach (var range in rest.Split(NewLine))
        {
            count += rest[range].Trim(Whitespace).IsEmpty ? 0 : 1;
        }

        return count;
    }

    private bool TryDeserialize(ReadOnlySpan<byte> json, [NotNullWhen(true)] out T? document, [NotNullWhen(false)] out JsonException? error)
    {
        document = null;
        try
        {
            document = JsonSerializer.Deserialize(json, _typeInfo);
            error = document is null ? new JsonException("the document is null") : null;
        }
        catch (JsonException ex)
        {
            error = ex;
        }

        return document is not null;
    }

    private void Write(ReadOnlySpan<byte> records, bool flush)
    {
        if (_journal is null || _journalLength + records.Length > Math.Max(JournalBytes, 16L * records.Length))
        {
            Replace(records, flush);
            return;
        }

        try
        {
            RandomAccess.Write(_journal, records, _journalLength);
        }
        catch
        {
            // Part of the records may be in the file: the next write starts a fresh one rather than append after it.
            _journal.Dispose();
            _journal = null;
            throw;
        }

        _journalLength += records.Length;
        if (flush)
        {
            FlushJournal();
        }
    }

    private void FlushJournal()
    {
        if (_journal is null)
        {
            return;
        }

        RandomAccess.FlushToDisk(_journal);
        if (!_journalEntryOnDisk)
        {
            FlushDirectory();
            _journalEntryOnDisk = true;
        }
    }

    private void Replace(ReadOnlySpan<byte> records, bool flush)
    {
        var handle = File.OpenHandle(_temporaryPath, FileMode.Create, FileAccess.Write, FileShare.Read);
        try
        {
            RandomAccess.Write(handle, records, fileOffset: 0);
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
        _journalLength = records.Length;
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

    private readonly record struct ReplayResult(T? State, JsonException? Error, int LastLine, int IgnoredLines);

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "state file {Path} is unreadable and was moved to {Aside}; starting from empty state")]
    private static partial void LogCorrupt(ILogger logger, Exception exception, string path, string aside);

    [LoggerMessage(EventId = 902, Level = LogLevel.Error, Message = "state file {Path}: line {Line} is unreadable and the {Ignored} records after it were ignored; the state before it is kept, the file was copied to {Aside}")]
    private static partial void LogRecordsIgnored(ILogger logger, Exception exception, string path, int line, int ignored, string aside);
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
