using System.Net.Sockets;
using CiliumDocker.Hosting;
using NUnit.Framework;

namespace CiliumDocker.Tests.Hosting;

internal sealed class PluginSocketTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("cds-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Prepare_MissingDirectory_CreatesIt()
    {
        var path = Path.Combine(_directory, "plugins", "cilium.sock");

        PluginSocket.Prepare(path);

        Assert.That(Directory.Exists(Path.GetDirectoryName(path)), Is.True);
    }

    [Test]
    public void Prepare_SocketFileLeftByDeadProcess_RemovesIt()
    {
        var path = Path.Combine(_directory, "cilium.sock");

        // .NET unlinks the path a socket bound when it is disposed; moving the file first leaves it behind, as a
        // crash would.
        var bound = Path.Combine(_directory, "bound.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }

        Assert.That(File.Exists(path), Is.True, "a socket file nobody listens on");

        PluginSocket.Prepare(path);

        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void Prepare_SocketWithLiveListener_RefusesAndLeavesIt()
    {
        var path = Path.Combine(_directory, "cilium.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(path));
        live.Listen();

        var error = Assert.Throws<PluginSocketInUseException>(() => PluginSocket.Prepare(path));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(path).And.Contain("running cilium-docker"));
            Assert.That(File.Exists(path), Is.True);
        });
    }

    [Test]
    public void Prepare_PathIsADirectory_ExplainsInsteadOfFailingAtBind()
    {
        var path = Path.Combine(_directory, "cilium.sock");
        Directory.CreateDirectory(path);

        Assert.That(() => PluginSocket.Prepare(path), Throws.TypeOf<IOException>().With.Message.Contains("is a directory, not a socket"));
    }

    [Test]
    public void BindWithOwnerOnlyMode_UnixEndpoint_SetsMode0600BeforeListening()
    {
        var path = Path.Combine(_directory, "cilium.sock");

        using var socket = PluginSocket.BindWithOwnerOnlyMode(new UnixDomainSocketEndPoint(path));

        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }
}
