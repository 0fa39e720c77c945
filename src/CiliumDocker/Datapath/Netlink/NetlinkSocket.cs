using System.Runtime.InteropServices;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>
/// A NETLINK_ROUTE socket that sends one request at a time and waits for its ack. Requests from several threads
/// are serialised by a lock, so one socket can serve concurrent callers; the kernel's rtnl lock serialises link
/// changes anyway. The socket belongs to the network namespace of the thread that opened it.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    // The kernel answers within microseconds unless the rtnl lock is held for long; this only turns a hang into
    // an error.
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    // Large enough for an RTM_NEWLINK reply describing one link; a truncated datagram is reported, not parsed.
    private const int ReceiveBufferLength = 64 * 1024;

    private readonly SafeNetlinkHandle _handle;
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferLength];
    private readonly Lock _gate = new();
    private uint _sequence;

    private NetlinkSocket(SafeNetlinkHandle handle)
    {
        _handle = handle;
    }

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open()
    {
        var fd = NativeMethods.Socket(
            NativeMethods.AfNetlink, NativeMethods.SockRaw | NativeMethods.SockCloexec, NativeMethods.NetlinkRoute);
        if (fd < 0)
        {
            throw LastError("socket(AF_NETLINK)");
        }

        var socket = new NetlinkSocket(new SafeNetlinkHandle(fd));
        try
        {
            socket.Configure();
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> with NLM_F_ACK and returns the kernel's replies once the ack arrives.
    /// A refusal throws <see cref="NetlinkException"/> with the kernel's errno.
    /// </summary>
    public List<NetlinkReply> Request(NetlinkMessageBuilder request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = MessageType.Name(request.Type);
        var replies = new List<NetlinkReply>();
        lock (_gate)
        {
            var message = request.Complete(unchecked(++_sequence));
            Send(message, operation);
            while (!NetlinkReplyParser.Parse(Receive(operation), _sequence, operation, replies))
            {
            }
        }

        return replies;
    }

    public void Dispose() => _handle.Dispose();

    private void Configure()
    {
        // Ask for the kernel's explanation on errors (EXT_ACK) and not to echo our whole request back (CAP_ACK).
        // Both are best effort: without them errors still carry an errno.
        var on = 1;
        NativeMethods.SetSockOpt(_handle, NativeMethods.SolNetlink, NativeMethods.NetlinkExtAck, &on, sizeof(int));
        NativeMethods.SetSockOpt(_handle, NativeMethods.SolNetlink, NativeMethods.NetlinkCapAck, &on, sizeof(int));

        var timeout = new NativeMethods.TimeVal { Seconds = (long)ReplyTimeout.TotalSeconds };
        if (NativeMethods.SetSockOpt(_handle, NativeMethods.SolSocket, NativeMethods.SoRcvTimeo, &timeout, sizeof(NativeMethods.TimeVal)) != 0)
        {
            throw LastError("setsockopt(SO_RCVTIMEO)");
        }

        var local = new NativeMethods.SockAddrNetlink { Family = NativeMethods.AfNetlink };
        if (NativeMethods.Bind(_handle, &local, sizeof(NativeMethods.SockAddrNetlink)) != 0)
        {
            throw LastError("bind(AF_NETLINK)");
        }
    }

    private void Send(ReadOnlySpan<byte> message, string operation)
    {
        var kernel = new NativeMethods.SockAddrNetlink { Family = NativeMethods.AfNetlink };
        fixed (byte* bytes = message)
        {
            while (true)
            {
                var sent = NativeMethods.SendTo(_handle, bytes, message.Length, 0, &kernel, sizeof(NativeMethods.SockAddrNetlink));
                if (sent >= 0)
                {
                    return;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR)
                {
                    throw new NetlinkException($"{operation} send", errno, kernelMessage: null, fromKernel: false);
                }
            }
        }
    }

    private ReadOnlySpan<byte> Receive(string operation)
    {
        fixed (byte* bytes = _receiveBuffer)
        {
            while (true)
            {
                // MSG_TRUNC makes recv return the datagram's real length, so a cut-off reply is detected.
                var received = (int)NativeMethods.Receive(_handle, bytes, _receiveBuffer.Length, NativeMethods.MsgTrunc);
                if (received > _receiveBuffer.Length)
                {
                    throw new NetlinkException(
                        $"{operation} receive", Errno.EMSGSIZE, $"reply of {received} bytes exceeds the {_receiveBuffer.Length}-byte buffer", fromKernel: false);
                }

                if (received >= 0)
                {
                    return _receiveBuffer.AsSpan(0, received);
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EAGAIN)
                {
                    throw new NetlinkException(
                        $"{operation} receive", errno, $"no reply from the kernel within {ReplyTimeout.TotalSeconds} s", fromKernel: false);
                }

                if (errno != Errno.EINTR)
                {
                    throw new NetlinkException($"{operation} receive", errno, kernelMessage: null, fromKernel: false);
                }
            }
        }
    }

    private static NetlinkException LastError(string call) =>
        new(call, Marshal.GetLastPInvokeError(), kernelMessage: null, fromKernel: false);
}
