using System.Buffers.Binary;
using System.Text;
using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
internal sealed class NetlinkReplyParserTests
{
    private const uint Sequence = 42;

    [Test]
    public void Parse_Ack_IsCompleteWithoutReplies()
    {
        var replies = new List<NetlinkReply>();

        var complete = NetlinkReplyParser.Parse(Error(0, Sequence), Sequence, "RTM_DELLINK", replies);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(complete, Is.True);
            Assert.That(replies, Is.Empty);
        }
    }

    [Test]
    public void Parse_ReplyThenAckInOneDatagram_KeepsTheReply()
    {
        var replies = new List<NetlinkReply>();

        var complete = NetlinkReplyParser.Parse(
            [.. Message(MessageType.NewLink, 0, Sequence, [1, 2, 3, 4, 5]), .. Error(0, Sequence)], Sequence, "RTM_GETLINK", replies);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(complete, Is.True);
            Assert.That(replies, Has.Count.EqualTo(1));
            Assert.That(replies[0].Type, Is.EqualTo(MessageType.NewLink));
            Assert.That(replies[0].Payload.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5 }));
        }
    }

    [Test]
    public void Parse_ReplyWithoutAck_IsNotComplete()
    {
        var replies = new List<NetlinkReply>();

        var complete = NetlinkReplyParser.Parse(Message(MessageType.NewLink, 0, Sequence, [0, 0, 0, 0]), Sequence, "RTM_GETLINK", replies);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(complete, Is.False);
            Assert.That(replies, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void Parse_AnswerToAnEarlierRequest_IsSkipped()
    {
        var replies = new List<NetlinkReply>();

        var complete = NetlinkReplyParser.Parse(
            [.. Message(MessageType.NewLink, 0, Sequence - 1, [9, 9, 9, 9]), .. Error(-17, Sequence - 1)], Sequence, "RTM_GETLINK", replies);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(complete, Is.False);
            Assert.That(replies, Is.Empty);
        }
    }

    [Test]
    public void Parse_Done_IsComplete() =>
        Assert.That(NetlinkReplyParser.Parse(Message(MessageType.Done, 0, Sequence, [0, 0, 0, 0]), Sequence, "dump", []), Is.True);

    [Test]
    public void Parse_ErrorWithCappedEchoAndExtendedAck_ThrowsWithErrnoAndKernelText()
    {
        var error = Assert.Throws<NetlinkException>(() => NetlinkReplyParser.Parse(
            Error(-17, Sequence, echoedLength: 16, capped: true, kernelMessage: "device already exists"), Sequence, "RTM_NEWLINK", []));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Errno, Is.EqualTo(17));
            Assert.That(error.ErrnoName, Is.EqualTo("EEXIST"));
            Assert.That(error.KernelMessage, Is.EqualTo("device already exists"));
            Assert.That(error.FromKernel, Is.True);
            Assert.That(error.Message, Is.EqualTo("RTM_NEWLINK: File exists (EEXIST): device already exists"));
        }
    }

    [Test]
    public void Parse_ErrorEchoingTheWholeRequest_FindsTheExtendedAckAfterIt()
    {
        var error = Assert.Throws<NetlinkException>(() => NetlinkReplyParser.Parse(
            Error(-22, Sequence, echoedLength: 40, capped: false, kernelMessage: "too big gso_max_size"), Sequence, "RTM_SETLINK", []));

        Assert.That(error.KernelMessage, Is.EqualTo("too big gso_max_size"));
    }

    [Test]
    public void Parse_ErrorWithoutExtendedAck_HasNoKernelText()
    {
        var error = Assert.Throws<NetlinkException>(() => NetlinkReplyParser.Parse(Error(-1, Sequence), Sequence, "RTM_NEWLINK", []));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.ErrnoName, Is.EqualTo("EPERM"));
            Assert.That(error.KernelMessage, Is.Null);
        }
    }

    [Test]
    public void Parse_Overrun_ThrowsEnobufs() =>
        Assert.That(
            () => NetlinkReplyParser.Parse(Message(MessageType.Overrun, 0, Sequence, []), Sequence, "RTM_GETLINK", []),
            Throws.TypeOf<NetlinkException>().With.Property(nameof(NetlinkException.ErrnoName)).EqualTo("ENOBUFS"));

    [TestCase(8u)]
    [TestCase(400u)]
    public void Parse_MessageLengthOutOfBounds_ThrowsInvalidData(uint length)
    {
        var datagram = Message(MessageType.NewLink, 0, Sequence, [0, 0, 0, 0]);
        BinaryPrimitives.WriteUInt32LittleEndian(datagram, length);

        Assert.That(() => NetlinkReplyParser.Parse(datagram, Sequence, "RTM_GETLINK", []), Throws.TypeOf<InvalidDataException>());
    }

    private static byte[] Message(ushort type, ushort flags, uint sequence, byte[] payload)
    {
        var length = 16 + payload.Length;
        var message = new byte[(length + 3) & ~3];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), sequence);
        payload.CopyTo(message, 16);
        return message;
    }

    // struct nlmsgerr: the error, the echoed request (its header says how long it was), then ext-ack attributes.
    private static byte[] Error(int errno, uint sequence, int echoedLength = 16, bool capped = true, string? kernelMessage = null)
    {
        var echoed = new byte[capped ? 16 : echoedLength];
        BinaryPrimitives.WriteUInt32LittleEndian(echoed, (uint)echoedLength);
        var payload = new List<byte>(BitConverter.GetBytes(errno));
        payload.AddRange(echoed);
        ushort flags = capped ? MessageFlags.Capped : (ushort)0;
        if (kernelMessage is not null)
        {
            flags |= MessageFlags.AckTlvs;
            var text = Encoding.UTF8.GetBytes(kernelMessage + "\0");
            payload.AddRange(BitConverter.GetBytes((ushort)(4 + text.Length)));
            payload.AddRange(BitConverter.GetBytes(ExtAck.Message));
            payload.AddRange(text);
            payload.AddRange(new byte[((text.Length + 3) & ~3) - text.Length]);
        }

        return Message(MessageType.Error, flags, sequence, [.. payload]);
    }
}
