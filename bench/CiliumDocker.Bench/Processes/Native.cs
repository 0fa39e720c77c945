using System.Runtime.InteropServices;

namespace CiliumDocker.Bench.Processes;

internal static partial class Native
{
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "sysconf")]
    public static partial long Sysconf(int name);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
