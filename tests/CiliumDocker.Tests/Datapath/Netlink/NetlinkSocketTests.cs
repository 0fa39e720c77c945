using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
[CancelAfter(60_000)]
internal sealed class NetlinkSocketTests
{
    [Test]
    public async Task Request_ManyThreadsOnOneSocket_EachGetsItsOwnAnswer()
    {
        using var netns = TestNetworkNamespace.Create();
        netns.Ip("link", "add", "cdprobe", "type", "bridge");
        using var socket = NetworkNamespace.Run(netns.Path, NetlinkSocket.Open);
        var links = new LinkOperations(socket);
        var names = new[] { "lo", "cdprobe", "cdmissing" };

        var answers = await Task.WhenAll(Enumerable.Range(0, 600).Select(i => Task.Run(() =>
        {
            var name = names[i % names.Length];
            return (name, found: links.GetLinkByName(name)?.Name);
        })));

        Assert.That(answers.Where(a => a.found != (a.name == "cdmissing" ? null : a.name)), Is.Empty);
    }

    [Test]
    public void Dispose_Twice_IsHarmless()
    {
        var socket = NetlinkSocket.Open();
        socket.Dispose();

        Assert.That(socket.Dispose, Throws.Nothing);
    }

    [Test]
    public void Request_AfterDispose_ThrowsObjectDisposed()
    {
        var socket = NetlinkSocket.Open();
        socket.Dispose();

        Assert.That(
            () => socket.Request(new NetlinkMessageBuilder(MessageType.GetLink, 0).IfInfo().Attribute(Ifla.IfName, "lo")),
            Throws.TypeOf<ObjectDisposedException>());
    }
}
