using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
[CancelAfter(30_000)]
internal sealed class LinkOperationsTests
{
    private TestNetworkNamespace _netns = null!;
    private NetlinkSocket _socket = null!;
    private LinkOperations _links = null!;

    [SetUp]
    public void SetUp()
    {
        _netns = TestNetworkNamespace.Create();
        _socket = NetworkNamespace.Run(_netns.Path, NetlinkSocket.Open);
        _links = new LinkOperations(_socket);
    }

    [TearDown]
    public void TearDown()
    {
        _socket.Dispose();
        _netns.Dispose();
    }

    [Test]
    public void CreateVeth_ThenGetLinkByName_ReportsBothEndsLinkedToEachOther()
    {
        _links.CreateVeth(new VethSpec("cdhost0", [2, 0, 0, 0, 0, 1], "cdpeer0", [2, 0, 0, 0, 0, 2], 9000, 500));

        var host = _links.GetLinkByName("cdhost0")!;
        var peer = _links.GetLinkByName("cdpeer0")!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That((host.Mac, peer.Mac), Is.EqualTo(("02:00:00:00:00:01", "02:00:00:00:00:02")));
            Assert.That((host.Mtu, peer.Mtu), Is.EqualTo((9000u, 9000u)));
            Assert.That((host.TxQueueLength, peer.TxQueueLength), Is.EqualTo((500u, 500u)));
            Assert.That((host.LinkIndex, peer.LinkIndex), Is.EqualTo((peer.Index, host.Index)));
            Assert.That((host.IsUp, peer.IsUp), Is.EqualTo((false, false)));
        }
    }

    [Test]
    public void Configure_UpAndRpFilter_AppliesBoth()
    {
        _links.CreateVeth(new VethSpec("cdhost0", [2, 0, 0, 0, 0, 1], "cdpeer0", [2, 0, 0, 0, 0, 2], 0, 1000));

        _links.Configure("cdhost0", new LinkSettings(Up: true, RpFilter: 2, default));

        var host = _links.GetLinkByName("cdhost0")!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(host.IsUp, Is.True);
            Assert.That(host.RpFilter, Is.EqualTo(2));
            Assert.That(_netns.RpFilter("cdhost0"), Is.EqualTo("2"));
        }
    }

    [Test]
    public void GetLinkByName_Missing_ReturnsNull() =>
        Assert.That(_links.GetLinkByName("cdmissing"), Is.Null);

    [Test]
    public void GetLinkByName_Loopback_HasIndexOneAndNoKind()
    {
        var lo = _links.GetLinkByName("lo")!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lo.Index, Is.EqualTo(1));
            Assert.That(lo.Kind, Is.Null);
        }
    }

    [Test]
    public void DeleteLink_Missing_ReturnsFalse() =>
        Assert.That(_links.DeleteLink("cdmissing"), Is.False);

    [Test]
    public void DeleteLink_OneEndOfAVeth_RemovesBoth()
    {
        _links.CreateVeth(new VethSpec("cdhost0", [2, 0, 0, 0, 0, 1], "cdpeer0", [2, 0, 0, 0, 0, 2], 0, 1000));

        var deleted = _links.DeleteLink("cdpeer0");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted, Is.True);
            Assert.That(_netns.LinkNames(), Is.Empty);
        }
    }

    [Test]
    public void Configure_MissingLink_ThrowsEnodevFromTheKernel()
    {
        var error = Assert.Throws<NetlinkException>(() => _links.Configure("cdmissing", new LinkSettings(Up: true, null, default)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.ErrnoName, Is.EqualTo("ENODEV"));
            Assert.That(error.FromKernel, Is.True);
            Assert.That(error.Operation, Is.EqualTo("RTM_SETLINK"));
        }
    }

    [Test]
    public void CreateVeth_InvalidName_ThrowsEinvalAndCreatesNothing()
    {
        var error = Assert.Throws<NetlinkException>(
            () => _links.CreateVeth(new VethSpec("bad/name", [2, 0, 0, 0, 0, 1], "cdpeer0", [2, 0, 0, 0, 0, 2], 0, 1000)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.ErrnoName, Is.EqualTo("EINVAL"));
            Assert.That(_netns.LinkNames(), Is.Empty);
        }
    }
}
