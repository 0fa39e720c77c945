using System.Runtime.InteropServices;
using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
internal sealed class NetlinkMessageBuilderTests
{
    [Test]
    public void Complete_GetLinkByName_MatchesTheKernelLayoutByteForByte()
    {
        var message = new NetlinkMessageBuilder(MessageType.GetLink, MessageFlags.Ack)
            .IfInfo(index: 7, flags: 1, change: 1)
            .Attribute(Ifla.IfName, "lo")
            .Complete(sequence: 0x01020304)
            .ToArray();

        byte[] expected =
        [
            40, 0, 0, 0,            // nlmsg_len
            18, 0,                  // RTM_GETLINK
            5, 0,                   // NLM_F_REQUEST | NLM_F_ACK
            4, 3, 2, 1,             // nlmsg_seq
            0, 0, 0, 0,             // nlmsg_pid
            0, 0, 0, 0,             // ifi_family, pad, ifi_type
            7, 0, 0, 0,             // ifi_index
            1, 0, 0, 0,             // ifi_flags
            1, 0, 0, 0,             // ifi_change
            7, 0, 3, 0,             // nla_len 7 (no padding counted), IFLA_IFNAME
            (byte)'l', (byte)'o', 0, 0, // "lo\0" and one byte of padding
        ];
        Assert.That(message, Is.EqualTo(expected));
    }

    [Test]
    public void EndNested_WithChildren_CoversTheirPaddedLength()
    {
        var builder = new NetlinkMessageBuilder(MessageType.NewLink, 0).IfInfo();
        var nest = builder.BeginNested(Ifla.LinkInfo);
        builder.Attribute(LinkInfoAttribute.Kind, "veth").Attribute(Ifla.Mtu, 1500u);
        builder.EndNested(nest);

        var message = builder.Complete(1);
        var attributes = message[(NetlinkMessageBuilder.HeaderLength + NetlinkMessageBuilder.IfInfoLength)..];

        using (Assert.EnterMultipleScope())
        {
            // 4 (nest header) + 12 ("veth\0" padded) + 8 (u32)
            Assert.That(MemoryMarshal.Read<ushort>(attributes), Is.EqualTo(24));
            Assert.That(MemoryMarshal.Read<ushort>(attributes[2..]), Is.EqualTo(Ifla.LinkInfo));
            Assert.That(message.Length, Is.EqualTo(NetlinkMessageBuilder.HeaderLength + NetlinkMessageBuilder.IfInfoLength + 24));
        }
    }

    [Test]
    public void Attribute_ManyBeyondTheInitialBuffer_AllReadBackInOrder()
    {
        var builder = new NetlinkMessageBuilder(MessageType.SetLink, 0).IfInfo();
        for (var i = 0u; i < 200; i++)
        {
            builder.Attribute(Ifla.Mtu, i);
        }

        var message = builder.Complete(1);
        var reader = new RtAttributeReader(message[(NetlinkMessageBuilder.HeaderLength + NetlinkMessageBuilder.IfInfoLength)..]);
        var values = new List<uint>();
        while (reader.TryRead(out _, out var payload))
        {
            values.Add(RtAttributeReader.ReadUInt32(payload));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(values, Is.EqualTo(Enumerable.Range(0, 200).Select(i => (uint)i)));
            Assert.That(MemoryMarshal.Read<uint>(message), Is.EqualTo((uint)message.Length));
        }
    }

    [Test]
    public void Complete_CalledAgain_StampsTheNewSequence()
    {
        var builder = new NetlinkMessageBuilder(MessageType.DeleteLink, MessageFlags.Ack).IfInfo();
        builder.Complete(1);

        Assert.That(MemoryMarshal.Read<uint>(builder.Complete(2)[8..]), Is.EqualTo(2u));
    }
}
