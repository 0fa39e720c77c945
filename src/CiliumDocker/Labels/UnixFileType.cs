using System.Runtime.InteropServices;

namespace CiliumDocker.Labels;

internal enum UnixFileKind
{
    Missing,
    Socket,
    Directory,
    RegularFile,
    Other,

    /// <summary>The type could not be read (no permission, no statx); only connecting will tell.</summary>
    Unknown,
}

/// <summary>
/// The file type of a path. .NET's file APIs do not tell a socket from a regular file, and the label watcher must,
/// to report "disabled" rather than "connecting" when the Docker socket was never mounted.
/// </summary>
internal static partial class UnixFileType
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int StatxBufferSize = 256;

    // struct statx has the same layout on every Linux architecture, unlike struct stat: stx_mode is a u16 at byte 28.
    private const int StxModeOffset = 28;

    private const int FileTypeMask = 0xF000;
    private const int SocketType = 0xC000;
    private const int DirectoryType = 0x4000;
    private const int RegularType = 0x8000;

    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    public static unsafe UnixFileKind Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var buffer = stackalloc byte[StatxBufferSize];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
            {
                return Marshal.GetLastPInvokeError() is ENOENT or ENOTDIR ? UnixFileKind.Missing : UnixFileKind.Unknown;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A libc without statx (not glibc >= 2.28): better to try the socket than to report it missing.
            return UnixFileKind.Unknown;
        }

        return (*(ushort*)(buffer + StxModeOffset) & FileTypeMask) switch
        {
            SocketType => UnixFileKind.Socket,
            DirectoryType => UnixFileKind.Directory,
            RegularType => UnixFileKind.RegularFile,
            _ => UnixFileKind.Other,
        };
    }

    // glibc >= 2.28 exports statx; the plugin rootfs carries libc.so.6 and nothing that would resolve plain "libc".
    [LibraryImport("libc.so.6", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string pathname, int flags, uint mask, byte* buffer);
}
