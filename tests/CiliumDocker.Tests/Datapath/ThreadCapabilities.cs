using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace CiliumDocker.Tests.Datapath;

/// <summary>
/// Runs work on a thread without CAP_NET_ADMIN. Linux capabilities belong to a thread, so the test process keeps
/// its own; the thread is dedicated and ends with the work.
/// </summary>
internal static class ThreadCapabilities
{
    private const uint LinuxCapabilityVersion3 = 0x20080522;
    private const int CapNetAdmin = 12;

    public static T WithoutNetAdmin<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                DropFromCurrentThread(CapNetAdmin);
                result = work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    public static bool CurrentThreadHasNetAdmin() => CurrentThreadHas(CapNetAdmin);

    private static bool CurrentThreadHas(int capability)
    {
        var header = new CapHeader { Version = LinuxCapabilityVersion3 };
        var data = new CapData[2];
        if (CapGet(ref header, data) != 0)
        {
            throw new InvalidOperationException("capget failed: errno " + Marshal.GetLastPInvokeError());
        }

        return (data[capability / 32].Effective & (1u << (capability % 32))) != 0;
    }

    private static void DropFromCurrentThread(int capability)
    {
        var header = new CapHeader { Version = LinuxCapabilityVersion3 };
        var data = new CapData[2];
        if (CapGet(ref header, data) != 0)
        {
            throw new InvalidOperationException("capget failed: errno " + Marshal.GetLastPInvokeError());
        }

        var bit = ~(1u << (capability % 32));
        data[capability / 32].Effective &= bit;
        data[capability / 32].Permitted &= bit;
        data[capability / 32].Inheritable &= bit;
        if (CapSet(ref header, data) != 0)
        {
            throw new InvalidOperationException("capset failed: errno " + Marshal.GetLastPInvokeError());
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    // The test project is not compiled with unsafe code, which LibraryImport needs; DllImport marshals these
    // blittable arguments without it, and tests do not run under Native AOT.
    [DllImport("libc.so.6", EntryPoint = "capget", SetLastError = true)]
    private static extern int CapGet(ref CapHeader header, [In, Out] CapData[] data);

    [DllImport("libc.so.6", EntryPoint = "capset", SetLastError = true)]
    private static extern int CapSet(ref CapHeader header, [In] CapData[] data);
}
