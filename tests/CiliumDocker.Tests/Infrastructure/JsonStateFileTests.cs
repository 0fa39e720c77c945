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
    public void Commit_ChangeAlreadyWrittenByAnotherCaller_WritesOnlyWhenItStillNeedsTheFlush()
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
            Assert.That(snapshots, Is.EqualTo(2), "the second change was covered by the first write, the fourth by the third flush");
            Assert.That(NewFile().Load()!.Endpoints.Single().EndpointId, Is.EqualTo("v3"));
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

    private JsonStateFile<EndpointCleanupState> NewFile()
        => new(Path.Combine(_directory, "state.json"), EndpointStateJsonContext.Default.EndpointCleanupState, NullLogger.Instance);
}
