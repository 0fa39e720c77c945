using System.Runtime.InteropServices;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>Linux errno values (x86-64 and arm64 share them) and their symbolic names, for messages people can search.</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int EMSGSIZE = 90;
    public const int ENOBUFS = 105;

    private static readonly Dictionary<int, string> Names = new()
    {
        [EPERM] = "EPERM",
        [ENOENT] = "ENOENT",
        [3] = "ESRCH",
        [EINTR] = "EINTR",
        [5] = "EIO",
        [6] = "ENXIO",
        [7] = "E2BIG",
        [9] = "EBADF",
        [EAGAIN] = "EAGAIN",
        [12] = "ENOMEM",
        [EACCES] = "EACCES",
        [14] = "EFAULT",
        [16] = "EBUSY",
        [EEXIST] = "EEXIST",
        [18] = "EXDEV",
        [ENODEV] = "ENODEV",
        [20] = "ENOTDIR",
        [EINVAL] = "EINVAL",
        [23] = "ENFILE",
        [24] = "EMFILE",
        [28] = "ENOSPC",
        [34] = "ERANGE",
        [36] = "ENAMETOOLONG",
        [38] = "ENOSYS",
        [61] = "ENODATA",
        [71] = "EPROTO",
        [75] = "EOVERFLOW",
        [88] = "ENOTSOCK",
        [EMSGSIZE] = "EMSGSIZE",
        [92] = "ENOPROTOOPT",
        [93] = "EPROTONOSUPPORT",
        [95] = "EOPNOTSUPP",
        [97] = "EAFNOSUPPORT",
        [98] = "EADDRINUSE",
        [99] = "EADDRNOTAVAIL",
        [100] = "ENETDOWN",
        [ENOBUFS] = "ENOBUFS",
        [110] = "ETIMEDOUT",
    };

    /// <summary>"EEXIST" for 17; "errno 4242" for a number not listed.</summary>
    public static string Name(int errno) =>
        Names.TryGetValue(errno, out var name) ? name : "errno " + errno;

    /// <summary>The C library's text for the number ("File exists").</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
