using System.Runtime.InteropServices;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>One message the kernel answered with, other than the final ack: its type and payload.</summary>
internal sealed record NetlinkReply(ushort Type, ReadOnlyMemory<byte> Payload);

/// <summary>
/// Splits a received datagram into messages and decides whether the request is finished. Kept apart from the
/// socket so that every branch, including the kernel's error replies, can be tested with bytes.
/// </summary>
internal static class NetlinkReplyParser
{
    private const int ErrorCodeLength = 4;    // nlmsgerr.error, before the echoed request header

    /// <summary>
    /// Adds the replies to <paramref name="sequence"/> found in <paramref name="datagram"/> to
    /// <paramref name="replies"/> and returns true once the ack (or NLMSG_DONE) arrived. Messages carrying another
    /// sequence number are answers to an earlier request that gave up waiting, and are skipped. An error reply
    /// throws <see cref="NetlinkException"/>.
    /// </summary>
    public static bool Parse(ReadOnlySpan<byte> datagram, uint sequence, string operation, List<NetlinkReply> replies)
    {
        var offset = 0;
        while (datagram.Length - offset >= NetlinkMessageBuilder.HeaderLength)
        {
            var message = datagram[offset..];
            var length = (int)MemoryMarshal.Read<uint>(message);
            if (length < NetlinkMessageBuilder.HeaderLength || length > message.Length)
            {
                throw new InvalidDataException($"malformed netlink message: length {length} with {message.Length} bytes left");
            }

            var type = MemoryMarshal.Read<ushort>(message[4..]);
            var flags = MemoryMarshal.Read<ushort>(message[6..]);
            var messageSequence = MemoryMarshal.Read<uint>(message[8..]);
            var payload = message[NetlinkMessageBuilder.HeaderLength..length];
            offset += NetlinkMessageBuilder.Align4(length);

            if (messageSequence != sequence || type == MessageType.Noop)
            {
                continue;
            }

            switch (type)
            {
                case MessageType.Error:
                    ThrowIfError(payload, flags, operation);
                    return true;
                case MessageType.Done:
                    return true;
                case MessageType.Overrun:
                    throw new NetlinkException(operation, Errno.ENOBUFS, "netlink receive overrun", fromKernel: false);
                default:
                    replies.Add(new NetlinkReply(type, payload.ToArray()));
                    break;
            }
        }

        return false;
    }

    private static void ThrowIfError(ReadOnlySpan<byte> payload, ushort flags, string operation)
    {
        if (payload.Length < ErrorCodeLength)
        {
            throw new InvalidDataException("netlink error message without an error code");
        }

        var error = MemoryMarshal.Read<int>(payload);
        if (error == 0)
        {
            return;
        }

        throw new NetlinkException(operation, -error, ExtendedAckMessage(payload, flags), fromKernel: true);
    }

    // After the error code the kernel echoes the request: the header alone with NETLINK_CAP_ACK (NLM_F_CAPPED),
    // else the whole message. NETLINK_EXT_ACK attributes (NLM_F_ACK_TLVS) follow it.
    private static string? ExtendedAckMessage(ReadOnlySpan<byte> payload, ushort flags)
    {
        if ((flags & MessageFlags.AckTlvs) == 0 || payload.Length < ErrorCodeLength + NetlinkMessageBuilder.HeaderLength)
        {
            return null;
        }

        var echoedLength = (flags & MessageFlags.Capped) != 0
            ? NetlinkMessageBuilder.HeaderLength
            : (int)MemoryMarshal.Read<uint>(payload[ErrorCodeLength..]);
        var attributesStart = ErrorCodeLength + NetlinkMessageBuilder.Align4(echoedLength);
        if (attributesStart > payload.Length)
        {
            return null;
        }

        var reader = new RtAttributeReader(payload[attributesStart..]);
        while (reader.TryRead(out var type, out var value))
        {
            if (type == ExtAck.Message)
            {
                return RtAttributeReader.ReadString(value);
            }
        }

        return null;
    }
}
