using System.Runtime.InteropServices;

namespace CiliumDocker.Bench.Processes;

internal static partial class Native
{
    [LibraryImport("libc", EntryPoint = "sysconf")]
    public static partial long Sysconf(int name);
}
