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
