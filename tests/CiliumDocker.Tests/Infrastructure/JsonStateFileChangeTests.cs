using System.Text;
using System.Text.Json;
using CiliumDocker.Addresses;
using CiliumDocker.Infrastructure;
using CiliumDocker.Observability;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace CiliumDocker.Tests.Infrastructure;

/// <summary>The journal of changes: a keyed state stored as the parts each change touched, replayed in order.</summary>
internal sealed class JsonStateFileChangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
    private string _directory = null!;
    private AddressLedgerState _state = null!;
    private JsonStateFile<AddressLedgerState> _file = null!;
    private long _version;

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("cdj-").FullName;
        _state = new AddressLedgerState();
        _file = NewFile();
        _version = 0;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Changes_AfterTheFirstSnapshot_AreOneRecordEachHoldingOnlyTheirAddress()
    {
        Change("10.0.0.1", state => state.Expiring.Add(new ExpiringAddress("10.0.0.1", "uuid-1", Now)));
        Change("10.0.0.2", state => state.Expiring.Add(new ExpiringAddress("10.0.0.2", "uuid-2", Now)));
        Change("10.0.0.1", state =>
        {
            state.Expiring.RemoveAll(entry => entry.Ip == "10.0.0.1");
            state.Claims.Add(new ClaimedAddress("10.0.0.1", "ep1"));
        });

        var lines = File.ReadAllLines(_file.Path);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(3), "a snapshot at the process's first write, then one record a change");
            Assert.That(lines[0], Does.StartWith("{"));
            Assert.That(lines[1], Does.StartWith("[\"10.0.0.2\",{"));
            Assert.That(lines[2], Does.StartWith("[\"10.0.0.1\",{").And.Not.Contain("10.0.0.2").And.Contain("\"ep1\""));
            Assert.That(Reloaded(), Is.EqualTo(Canonical(_state)));
        });
    }

    [Test]
    public void Commit_OfAChangeAnotherCommitWrote_WritesNothing()
    {
        var snapshots = 0;
        Change("10.0.0.1", state => state.Reservations.Add(new ReservedAddress("10.0.0.1", Now)));
        var first = Queue("10.0.0.2", state => state.Reservations.Add(new ReservedAddress("10.0.0.2", Now)));
        var second = Queue("10.0.0.3", state => state.Reservations.Add(new ReservedAddress("10.0.0.3", Now)));

        _file.Commit(second, StateDurability.ProcessCrash, () => { snapshots++; return (_file.Snapshot(_state), _version); });
        var length = new FileInfo(_file.Path).Length;
        _file.Commit(first, StateDurability.ProcessCrash, () => { snapshots++; return (_file.Snapshot(_state), _version); });

        Assert.Multiple(() =>
        {
            Assert.That(snapshots, Is.Zero, "the queued records were written, no snapshot taken");
            Assert.That(File.ReadAllLines(_file.Path), Has.Length.EqualTo(3), "one write carried both queued records");
            Assert.That(new FileInfo(_file.Path).Length, Is.EqualTo(length), "the earlier change was already covered");
            Assert.That(Reloaded(), Is.EqualTo(Canonical(_state)));
        });
    }

    [Test]
    public void FirstWriteOfAProcess_IsASnapshotHoldingTheChangesQueuedBeforeIt()
    {
        Queue("10.0.0.1", state => state.Reservations.Add(new ReservedAddress("10.0.0.1", Now)));
        var removal = Queue("10.0.0.1", state => state.Reservations.Clear());
        _file.Commit(removal, StateDurability.ProcessCrash, () => (_file.Snapshot(_state), _version));
        Change("10.0.0.2", state => state.Claims.Add(new ClaimedAddress("10.0.0.2", "ep2")));

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllLines(_file.Path), Has.Length.EqualTo(2));
            Assert.That(Reloaded(), Is.EqualTo(Canonical(_state)));
            Assert.That(NewFile().Load()!.Reservations, Is.Empty);
        });
    }

    [Test]
    public void Commit_OfAChangeNeverQueued_WritesASnapshot()
    {
        Change("10.0.0.1", state => state.Reservations.Add(new ReservedAddress("10.0.0.1", Now)));
        _state.Claims.Add(new ClaimedAddress("10.0.0.2", "ep2"));

        _file.Commit(++_version, StateDurability.ProcessCrash, () => (_file.Snapshot(_state), _version));

        Assert.That(Reloaded(), Is.EqualTo(Canonical(_state)));
    }

    [Test]
    public void ConcurrentChanges_GroupCommitted_ReplayToTheSameState()
    {
        var owner = new Lock();
        string[] addresses = [.. Enumerable.Range(1, 12).Select(i => $"10.0.1.{i}")];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            var random = new Random(worker);
            for (var step = 0; step < 300; step++)
            {
                var ip = addresses[random.Next(addresses.Length)];
                var endpoint = $"ep{worker}-{step}";
                long version;
                lock (owner)
                {
                    if (random.Next(2) == 0)
                    {
                        _state.Claims.Add(new ClaimedAddress(ip, endpoint));
                    }
                    else
                    {
                        _state.ReplacePart(ip, new AddressLedgerState());
                    }

                    version = ++_version;
                    _file.QueueChange(version, _state, [ip]);
                }

                _file.Commit(version, StateDurability.ProcessCrash, () =>
                {
                    lock (owner)
                    {
                        return (_file.Snapshot(_state), _version);
                    }
                });
            }
        });

        Assert.That(Reloaded(), Is.EqualTo(Canonical(_state)));
    }

    [Test]
    public void WholeStateChange_IsASnapshotRecordInTheJournal()
    {
        Change("10.0.0.1", state => state.Reservations.Add(new ReservedAddress("10.0.0.1", Now)));
        Change(null, state =>
        {
            state.Reservations.Clear();
            state.DeferredReleases.Add(new DeferredRelease("10.0.0.1", Now));
        });
        Change("10.0.0.2", state => state.Claims.Add(new ClaimedAddress("10.0.0.2", "ep2")));

        var lines = File.ReadAllLines(_file.Path);
        Assert.Multiple(() =>
        {
            Assert.That(lines.Select(line => line[0]), Is.EqualTo(new[] { '{', '{', '[' }));
            Assert.That(Reloaded(), Is.EqualTo(Canonical(_state)));
        });
    }

    [TestCase(3)]
    [TestCase(30)]
    public void Load_ChangeRecordTornByACrash_KeepsEverythingBeforeIt(int tornLength)
    {
        Change("10.0.0.1", state => state.Reservations.Add(new ReservedAddress("10.0.0.1", Now)));
        var before = Canonical(_state);
        AppendRaw("[\"10.0.0.1\",{\"reservations\":[],\"expiring\":[],\"claims\":[]}]"[..tornLength]);

        Assert.Multiple(() =>
        {
            Assert.That(Reloaded(), Is.EqualTo(before));
            Assert.That(File.Exists(_file.Path + ".corrupt"), Is.False, "a torn last record is an ordinary crash");
        });
    }

    [TestCase("[\"10.0.0.1\",{\"claims\":[{\"ip\":\"10.0.0.1\",\"endpoint\":\"ep1\"}]}]", TestName = "Load_BadRecordInTheMiddle_KeepsTheStateBeforeItAndCopiesTheFileAside(part without all its lists)")]
    [TestCase("[\"10.0.0.1\",{\"reservations\":[],\"expiring\":[],\"claims\":[{\"ip\":\"10.0.0.9\",\"endpoint\":\"ep1\"}],\"deferredReleases\":[]}]", TestName = "Load_BadRecordInTheMiddle_KeepsTheStateBeforeItAndCopiesTheFileAside(entry of another address)")]
    [TestCase("[\"10.0.0.1\"]", TestName = "Load_BadRecordInTheMiddle_KeepsTheStateBeforeItAndCopiesTheFileAside(key without a part)")]
    [TestCase("[42,{}]", TestName = "Load_BadRecordInTheMiddle_KeepsTheStateBeforeItAndCopiesTheFileAside(key not a string)")]
    [TestCase("[\"10.0.0.1\",{}] []", TestName = "Load_BadRecordInTheMiddle_KeepsTheStateBeforeItAndCopiesTheFileAside(trailing value)")]
    public void Load_BadRecordInTheMiddle_KeepsTheStateBeforeItAndCopiesTheFileAside(string bad)
    {
        Change("10.0.0.1", state => state.Reservations.Add(new ReservedAddress("10.0.0.1", Now)));
        var before = Canonical(_state);
        AppendRaw(bad + "\n[\"10.0.0.1\",{}]\n");
        using var log = new StringWriter();
        using var logging = new LineLoggerProvider(log, TimeProvider.System);

        var loaded = new JsonStateFile<AddressLedgerState>(_file.Path, AddressStateJsonContext.Default.AddressLedgerState, logging.CreateLogger("test")).Load();

        Assert.Multiple(() =>
        {
            Assert.That(Canonical(loaded!), Is.EqualTo(before), "the record after the bad one is not applied");
            Assert.That(File.ReadAllText(_file.Path + ".corrupt"), Does.Contain(bad));
            Assert.That(log.ToString(), Does.Contain("line 2 is unreadable and the 1 records after it were ignored"));
        });
    }

    [TestCase("[\"10.0.0.1\",{}]")]
    [TestCase("[\"10.0.0.1\",{}]\n{\"claims\":[]}")]
    public void Load_ChangeBeforeAnySnapshot_IsACorruptFile(string content)
    {
        File.WriteAllText(_file.Path, content);

        Assert.Multiple(() =>
        {
            Assert.That(NewFile().Load(), Is.Null);
            Assert.That(File.ReadAllText(_file.Path + ".corrupt"), Is.EqualTo(content));
        });
    }

    [Test]
    public void Load_ChangeRecordOfAStateStoredWhole_IsRefused()
    {
        var path = Path.Combine(_directory, "cleanup.json");
        File.WriteAllText(path, "{\"endpoints\":[]}\n[\"abc\",{\"endpoints\":[]}]\n");

        var loaded = new JsonStateFile<CiliumDocker.Endpoints.EndpointCleanupState>(
            path, CiliumDocker.Endpoints.EndpointStateJsonContext.Default.EndpointCleanupState, NullLogger.Instance).Load();

        Assert.Multiple(() =>
        {
            Assert.That(loaded!.Endpoints, Is.Empty);
            Assert.That(File.Exists(path + ".corrupt"), Is.False, "the last line counts as torn");
        });
    }

    [Test]
    public void Changes_PastTheJournalSize_StartAFreshFileWithASnapshot()
    {
        var changes = (2 * JsonStateFile<AddressLedgerState>.JournalBytes / 120) + 3;
        for (var i = 0; i < changes; i++)
        {
            var ip = $"10.0.{i / 250}.{i % 250}";
            Change(ip, state => state.Claims.Add(new ClaimedAddress(ip, $"ep{i}")));
            Change(ip, state => state.Claims.RemoveAll(entry => entry.Ip == ip));
        }

        Assert.Multiple(() =>
        {
            Assert.That(new FileInfo(_file.Path).Length, Is.LessThanOrEqualTo(JsonStateFile<AddressLedgerState>.JournalBytes));
            Assert.That(Reloaded(), Is.EqualTo(Canonical(_state)));
            Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { _file.Path }));
        });
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void RandomChangesAndRestarts_ReplayToTheSameState(int seed)
    {
        var random = new Random(seed);
        string[] addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "fd00::1"];
        for (var step = 0; step < 300; step++)
        {
            var ip = addresses[random.Next(addresses.Length)];
            switch (random.Next(7))
            {
                case 0:
                    Change(ip, state => state.Reservations.Add(new ReservedAddress(ip, Now.AddSeconds(step))));
                    break;
                case 1:
                    Change(ip, state => state.Expiring.Add(new ExpiringAddress(ip, $"uuid-{step}", Now) { Pool = step % 2 == 0 ? null : "blue" }));
                    break;
                case 2:
                    Change(ip, state => state.Claims.Add(new ClaimedAddress(ip, $"ep{step}")));
                    break;
                case 3:
                    Change(ip, state =>
                    {
                        for (var i = 0; i < state.Claims.Count; i++)
                        {
                            state.Claims[i] = state.Claims[i].Ip == ip ? state.Claims[i] with { EndpointGone = Now } : state.Claims[i];
                        }
                    });
                    break;
                case 4:
                    Change(ip, state => state.DeferredReleases.Add(new DeferredRelease(ip, Now) { Pool = "default" }));
                    break;
                case 5:
                    Change(ip, state => state.ReplacePart(ip, new AddressLedgerState()));
                    break;
                default:
                    Change(null, state => state.Reservations.RemoveAll(entry => entry.Deadline < Now.AddSeconds(step / 2)));
                    break;
            }

            if (random.Next(25) == 0)
            {
                // A new process: it loads the file, and its first write starts a fresh one.
                Assert.That(Reloaded(), Is.EqualTo(Canonical(_state)), $"step {step}");
                _file = NewFile();
                _state = _file.Load()!;
            }
        }

        Assert.That(Reloaded(), Is.EqualTo(Canonical(_state)));
    }

    private void Change(string? key, Action<AddressLedgerState> change)
    {
        var version = Queue(key, change);
        _file.Commit(version, StateDurability.ProcessCrash, () => (_file.Snapshot(_state), _version));
    }

    private long Queue(string? key, Action<AddressLedgerState> change)
    {
        change(_state);
        _file.QueueChange(++_version, _state, key is null ? null : [key]);
        return _version;
    }

    private void AppendRaw(string text)
    {
        using var stream = new FileStream(_file.Path, FileMode.Append);
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    private string Reloaded() => Canonical(NewFile().Load()!);

    /// <summary>The state with each list in address order: replay keeps the order within an address, not across.</summary>
    private static string Canonical(AddressLedgerState state)
    {
        var sorted = new AddressLedgerState
        {
            Reservations = [.. state.Reservations.OrderBy(entry => entry.Ip, StringComparer.Ordinal)],
            Expiring = [.. state.Expiring.OrderBy(entry => entry.Ip, StringComparer.Ordinal)],
            Claims = [.. state.Claims.OrderBy(entry => entry.Ip, StringComparer.Ordinal)],
            DeferredReleases = [.. state.DeferredReleases.OrderBy(entry => entry.Ip, StringComparer.Ordinal)],
        };
        return JsonSerializer.Serialize(sorted, AddressStateJsonContext.Default.AddressLedgerState);
    }

    private JsonStateFile<AddressLedgerState> NewFile()
        => new(Path.Combine(_directory, "addresses.json"), AddressStateJsonContext.Default.AddressLedgerState, NullLogger.Instance);
}
