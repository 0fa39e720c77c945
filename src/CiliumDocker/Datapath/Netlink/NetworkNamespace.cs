using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>
/// Runs a short piece of work inside another network namespace. A socket stays in the namespace it was created
/// in, so this is how a netlink socket for a test namespace is opened without moving the whole process.
/// </summary>
internal static class NetworkNamespace
{
    /// <summary>
    /// Calls <paramref name="work"/> on a dedicated thread that has joined the namespace bound at
    /// <paramref name="path"/> (for example <c>/var/run/netns/NAME</c>). setns changes only the calling thread, and
    /// the thread returns to its own namespace afterwards, so no other thread is affected.
    /// </summary>
    public static T Run<T>(string path, Func<T> work)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(work);

        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = RunHere(path, work);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + path,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private static T RunHere<T>(string path, Func<T> work)
    {
        var original = OpenNamespace("/proc/thread-self/ns/net");
        try
        {
            var target = OpenNamespace(path);
            try
            {
                Enter(target, path);
            }
            finally
            {
                NativeMethods.Close(target);
            }

            try
            {
                return work();
            }
            finally
            {
                Enter(original, "the original network namespace");
            }
        }
        finally
        {
            NativeMethods.Close(original);
        }
    }

    private static int OpenNamespace(string path)
    {
        var fd = NativeMethods.Open(path, NativeMethods.ORdOnly | NativeMethods.OCloexec);
        return fd >= 0
            ? fd
            : throw new NetlinkException($"open {path}", Marshal.GetLastPInvokeError(), kernelMessage: null, fromKernel: false);
    }

    private static void Enter(int fd, string description)
    {
        if (NativeMethods.SetNs(fd, NativeMethods.CloneNewNet) != 0)
        {
            throw new NetlinkException(
                $"setns into {description}", Marshal.GetLastPInvokeError(), kernelMessage: null, fromKernel: false);
        }
    }
}
