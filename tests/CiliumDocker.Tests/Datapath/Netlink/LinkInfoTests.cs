using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
internal sealed class LinkInfoTests
{
    [Test]
    public void Parse_VethMessage_ReadsEveryField()
    {
        var builder = new NetlinkMessageBuilder(MessageType.NewLink, 0).IfInfo(index: 12, flags: InterfaceFlags.Up | 0x1000)
            .Attribute(Ifla.IfName, "lxc0123456789ab")
            .Attribute(Ifla.Address, new byte[] { 0x02, 0xAA, 0, 0, 0, 0x01 })
            .Attribute(Ifla.Mtu, 1450u)
            .Attribute(Ifla.TxQueueLength, 1000u)
            .Attribute(Ifla.Link, 13u)
            .Attribute(Ifla.GsoMaxSize, 1u)
            .Attribute(Ifla.GroMaxSize, 2u)
            .Attribute(Ifla.GsoIPv4MaxSize, 3u)
            .Attribute(Ifla.GroIPv4MaxSize, 4u);
        var linkInfo = builder.BeginNested(Ifla.LinkInfo);
        builder.Attribute(LinkInfoAttribute.Kind, "veth").EndNested(linkInfo);
        var afSpec = builder.BeginNested(Ifla.AfSpec);
        var inet6 = builder.BeginNested(10);   // AF_INET6 comes first in the kernel's answer and is skipped
        builder.Attribute(1, new byte[8]).EndNested(inet6);
        var inet = builder.BeginNested(InetAttribute.AfInet);
        var conf = new byte[4 * 33];
        conf[(InetAttribute.DevConfRpFilter - 1) * 4] = 2;
        builder.Attribute(InetAttribute.Conf, conf).EndNested(inet).EndNested(afSpec);

        var link = LinkInfo.Parse(builder.Complete(1)[NetlinkMessageBuilder.HeaderLength..]);

        Assert.That(link, Is.EqualTo(new LinkInfo
        {
            Index = 12,
            Name = "lxc0123456789ab",
            Mac = "02:aa:00:00:00:01",
            Flags = InterfaceFlags.Up | 0x1000,
            Mtu = 1450,
            TxQueueLength = 1000,
            LinkIndex = 13,
            Kind = "veth",
            GsoMaxSize = 1,
            GroMaxSize = 2,
            GsoIPv4MaxSize = 3,
            GroIPv4MaxSize = 4,
            RpFilter = 2,
        }));
        Assert.That(link.IsUp, Is.True);
    }

    [Test]
    public void Parse_WithoutKindOrIPv4_LeavesThemNull()
    {
        var payload = new NetlinkMessageBuilder(MessageType.NewLink, 0).IfInfo(index: 1)
            .Attribute(Ifla.IfName, "lo")
            .Complete(1)[NetlinkMessageBuilder.HeaderLength..];

        var link = LinkInfo.Parse(payload);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(link.Kind, Is.Null);
            Assert.That(link.RpFilter, Is.Null);
            Assert.That(link.IsUp, Is.False);
            Assert.That(link.Mac, Is.Empty);
        }
    }

    [Test]
    public void Parse_ShorterThanIfInfo_ThrowsInvalidData() =>
        Assert.That(() => LinkInfo.Parse(new byte[8]), Throws.TypeOf<InvalidDataException>());
}
