using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
[CancelAfter(30_000)]
internal sealed class NetworkNamespaceTests
{
    [Test]
    public void Run_OpeningASocket_GivesASocketThatSeesOnlyThatNamespace()
    {
        using var netns = TestNetworkNamespace.Create();
        netns.Ip("link", "add", "cdprobe", "type", "bridge");

        using var inside = NetworkNamespace.Run(netns.Path, NetlinkSocket.Open);
        using var outside = NetlinkSocket.Open();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(new LinkOperations(inside).GetLinkByName("cdprobe"), Is.Not.Null);
            Assert.That(new LinkOperations(outside).GetLinkByName("cdprobe"), Is.Null);
        }
    }

    [Test]
    public void Run_MissingNamespace_ThrowsEnoentNamingThePath()
    {
        var error = Assert.Throws<NetlinkException>(() => NetworkNamespace.Run("/var/run/netns/cd-does-not-exist", () => 0));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.ErrnoName, Is.EqualTo("ENOENT"));
            Assert.That(error.Message, Does.Contain("/var/run/netns/cd-does-not-exist"));
        }
    }

    [Test]
    public void Run_WorkThrows_RethrowsTheSameException()
    {
        using var netns = TestNetworkNamespace.Create();

        Assert.That(
            () => NetworkNamespace.Run<int>(netns.Path, () => throw new InvalidOperationException("from inside")),
            Throws.InvalidOperationException.With.Message.EqualTo("from inside"));
    }
}
