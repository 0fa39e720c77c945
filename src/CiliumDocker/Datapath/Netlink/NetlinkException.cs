namespace CiliumDocker.Datapath.Netlink;

/// <summary>
/// A netlink request the kernel refused (an NLMSG_ERROR reply), or a socket call that failed. Either way there is
/// an errno; the kernel may add a sentence of its own through the extended ack.
/// </summary>
internal sealed class NetlinkException : Exception
{
    public NetlinkException(string operation, int errno, string? kernelMessage, bool fromKernel)
        : base($"{operation}: {ComposeReason(errno, kernelMessage)}")
    {
        Operation = operation;
        Errno = errno;
        KernelMessage = kernelMessage;
        FromKernel = fromKernel;
    }

    /// <summary>What was attempted: a message type such as RTM_NEWLINK, or a system call.</summary>
    public string Operation { get; }

    public int Errno { get; }

    /// <summary>The symbolic errno, e.g. EEXIST.</summary>
    public string ErrnoName => Netlink.Errno.Name(Errno);

    /// <summary>The extended ack's text (NLMSGERR_ATTR_MSG), when the kernel gave one.</summary>
    public string? KernelMessage { get; }

    /// <summary>
    /// True when the kernel processed the request and answered with this error, so the request changed nothing.
    /// False when the socket failed: the request may or may not have been carried out.
    /// </summary>
    public bool FromKernel { get; }

    /// <summary>"File exists (EEXIST)", followed by the kernel's own sentence when there is one.</summary>
    public string Reason => ComposeReason(Errno, KernelMessage);

    private static string ComposeReason(int errno, string? kernelMessage)
    {
        var reason = $"{Netlink.Errno.Describe(errno)} ({Netlink.Errno.Name(errno)})";
        return kernelMessage is null ? reason : $"{reason}: {kernelMessage}";
    }
}
