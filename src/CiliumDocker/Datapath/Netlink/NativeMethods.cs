using System.Runtime.InteropServices;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>
/// The few libc calls netlink needs. .NET's Socket does not map AF_NETLINK, so the socket is driven directly.
/// Named "libc.so.6" because "libc.so" is a linker script on glibc systems and cannot be loaded.
/// </summary>
internal static unsafe partial class NativeMethods
{
    public const int AfNetlink = 16;
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;
    public const int NetlinkRoute = 0;
    public const int SolSocket = 1;
    public const int SoRcvTimeo = 20;
    public const int SolNetlink = 270;
    public const int NetlinkCapAck = 10;
    public const int NetlinkExtAck = 11;
    public const int MsgTrunc = 0x20;
    public const int ORdOnly = 0;
    public const int OCloexec = 0x80000;
    public const int CloneNewNet = 0x40000000;

    private const string Libc = "libc.so.6";

    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrNetlink
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(SafeNetlinkHandle socket, SockAddrNetlink* address, int addressLength);

    [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(SafeNetlinkHandle socket, int level, int name, void* value, int valueLength);

    [LibraryImport(Libc, EntryPoint = "sendto", SetLastError = true)]
    public static partial nint SendTo(
        SafeNetlinkHandle socket, byte* buffer, nint length, int flags, SockAddrNetlink* address, int addressLength);

    [LibraryImport(Libc, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Receive(SafeNetlinkHandle socket, byte* buffer, nint length, int flags);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int namespaceType);
}

/// <summary>A netlink socket descriptor; the handle's reference count keeps it open while a call is using it.</summary>
internal sealed class SafeNetlinkHandle : SafeHandle
{
    public SafeNetlinkHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    protected override bool ReleaseHandle() => NativeMethods.Close((int)handle) == 0;
}
