using CiliumDocker.Endpoints;
using CiliumDocker.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace CiliumDocker.Tests.Infrastructure;

internal sealed class JsonStateFileTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("cdj-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Load_NoFile_ReturnsNull()
    {
        Assert.That(NewFile().Load(), Is.Null);
    }

    [Test]
    public void Save_ThenLoad_RoundTripsAndLeavesNoTemporaryFile()
    {
        var file = NewFile();
        var since = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

        file.Save(new EndpointCleanupState { Endpoints = [new PendingEndpointDeletion("abc", since)] });

        Assert.Multiple(() =>
        {
            Assert.That(NewFile().Load()!.Endpoints, Is.EqualTo(new[] { new PendingEndpointDeletion("abc", since) }));
            Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { file.Path }));
        });
    }

    [Test]
    public void Commit_ChangeAlreadyWrittenByAnotherCaller_IsOnlyFlushedNotWrittenAgain()
    {
        var file = NewFile();
        var since = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        var snapshots = 0;
        (byte[], long) Snapshot(long version)
        {
            snapshots++;
            return (file.Serialize(new EndpointCleanupState { Endpoints = [new PendingEndpointDeletion("v" + version, since)] }), version);
        }

        file.Commit(2, StateDurability.ProcessCrash, () => Snapshot(2));
        file.Commit(1, StateDurability.ProcessCrash, () => Snapshot(1));
        file.Commit(1, StateDurability.Disk, () => Snapshot(3));
        file.Commit(2, StateDurability.Disk, () => Snapshot(4));

        Assert.Multiple(() =>
        {
            Assert.That(snapshots, Is.EqualTo(1), "the second change was covered by the first write; the third only flushed what that wrote");
            Assert.That(NewFile().Load()!.Endpoints.Single().EndpointId, Is.EqualTo("v2"));
            Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { file.Path }));
        });
    }

    [Test]
    public void Save_Twice_AppendsOneLinePerSnapshotAndLoadsTheNewest()
    {
        var file = NewFile();

        file.Save(State("first"));
        file.Save(State("second"));

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllLines(file.Path), Has.Length.EqualTo(2));
            Assert.That(NewFile().Load()!.Endpoints.Single().EndpointId, Is.EqualTo("second"));
        });
    }

    [TestCase(2)]
    [TestCase(40)]
    public void Load_LastLineTornByACrash_ReturnsThePreviousSnapshotAndTheNextSaveStartsAFreshFile(int tornLength)
    {
        var file = NewFile();
        file.Save(State("kept"));
        var torn = file.Serialize(State("torn-by-a-crash"));
        using (var stream = new FileStream(file.Path, FileMode.Append))
        {
            stream.Write(torn, 0, tornLength);
        }

        var restarted = NewFile();
        var loaded = restarted.Load();
        restarted.Save(State("after-restart"));

        Assert.Multiple(() =>
        {
            Assert.That(loaded!.Endpoints.Single().EndpointId, Is.EqualTo("kept"));
            Assert.That(File.Exists(file.Path + ".corrupt"), Is.False);
            Assert.That(File.ReadAllLines(file.Path), Has.Length.EqualTo(1), "the torn line is gone, not followed");
            Assert.That(NewFile().Load()!.Endpoints.Single().EndpointId, Is.EqualTo("after-restart"));
        });
    }

    [Test]
    public void Load_IndentedDocumentOfAnEarlierVersion_IsRead()
    {
        var file = NewFile();
        File.WriteAllText(file.Path, """
            {
              "endpoints": [
                { "dockerEndpointId": "abc", "since": "2026-11-28T00:00:00+00:00" }
              ]
            }
            """);

        Assert.That(file.Load()!.Endpoints.Single().EndpointId, Is.EqualTo("abc"));
    }

    [Test]
    public void Save_PastTheJournalSize_StartsAFreshFileWithTheNewestSnapshot()
    {
        var file = NewFile();
        var lineLength = file.Serialize(State("v0000")).Length;
        var saves = (2 * JsonStateFile<EndpointCleanupState>.JournalBytes / lineLength) + 3;

        for (var i = 0; i < saves; i++)
        {
            file.Save(State($"v{i:D4}"));
        }

        Assert.Multiple(() =>
        {
            Assert.That(new FileInfo(file.Path).Length, Is.LessThanOrEqualTo(JsonStateFile<EndpointCleanupState>.JournalBytes));
            Assert.That(NewFile().Load()!.Endpoints.Single().EndpointId, Is.EqualTo($"v{saves - 1:D4}"));
            Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { file.Path }));
        });
    }

    [TestCase("{ not json")]
    [TestCase("")]
    [TestCase("[]")]
    public void Load_CorruptFile_MovesItAsideAndStartsEmpty(string content)
    {
        var file = NewFile();
        File.WriteAllText(file.Path, content);

        Assert.Multiple(() =>
        {
            Assert.That(file.Load(), Is.Null);
            Assert.That(File.Exists(file.Path), Is.False);
            Assert.That(File.ReadAllText(file.Path + ".corrupt"), Is.EqualTo(content));
        });
    }

    private static EndpointCleanupState State(string endpointId)
        => new() { Endpoints = [new PendingEndpointDeletion(endpointId, new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero))] };

    private JsonStateFile<EndpointCleanupState> NewFile()
        => new(Path.Combine(_directory, "state.json"), EndpointStateJsonContext.Default.EndpointCleanupState, NullLogger.Instance);
}
