using System.Diagnostics;
using CiliumDocker.Bench.Wire;

namespace CiliumDocker.Bench.Processes;

/// <summary>
/// A plugin binary (ours or the original, <see cref="PluginKind"/>) run as a legacy plugin on a socket of the
/// benchmark's own, as <see cref="PluginCommand"/> spells its command line.
/// </summary>
internal sealed class PluginHost : IDisposable
{
    private readonly ChildProcess _process;

    private PluginHost(ChildProcess process, string socketPath, long startedTimestamp)
    {
        _process = process;
        SocketPath = socketPath;
        StartedTimestamp = startedTimestamp;
    }

    public string SocketPath { get; }

    public int Pid => _process.Pid;

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long StartedTimestamp { get; }

    /// <param name="directory">a fresh directory for the socket, the state and the log.</param>
    /// <param name="withVeth">create veth pairs (the product's default datapath); otherwise <c>--datapath none</c>
    /// (ours only: the original always creates them).</param>
    /// <param name="netns">run inside this namespace (<c>ip netns exec</c>), or null for the host's.</param>
    public static PluginHost Start(PluginKind kind, string directory, string agentSocket, bool withVeth, NetworkNamespace? netns)
    {
        var plugins = Directory.CreateDirectory(Path.Combine(directory, "plugins")).FullName;
        var state = Directory.CreateDirectory(Path.Combine(directory, "state")).FullName;
        var binary = kind == PluginKind.Original ? OriginalPlugin.Binary() : RepositoryPaths.PluginBinary;
        var command = PluginCommand.For(kind, binary, plugins, state, agentSocket, Path.Combine(directory, "no-docker.sock"), withVeth);
        if (netns is not null)
        {
            command = command.InNamespace(netns.Name);
        }

        var started = Stopwatch.GetTimestamp();
        var process = ChildProcess.Start(command.FileName, command.Arguments, Path.Combine(directory, kind == PluginKind.Original ? "cilium-docker-original.log" : "cilium-docker.log"));
        return new PluginHost(process, command.SocketPath, started);
    }

    /// <summary>
    /// Polls <c>NetworkDriver.GetCapabilities</c>, the first call Docker makes, until it is answered with 200.
    /// </summary>
    /// <returns>the Stopwatch timestamp at which the first answer arrived.</returns>
    public long WaitUntilAnswering(TimeSpan timeout)
    {
        using var connection = new PluginConnection(SocketPath);
        var deadline = StartedTimestamp + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (File.Exists(SocketPath))
            {
                try
                {
                    if (connection.Post("/NetworkDriver.GetCapabilities", null).Succeeded)
                    {
                        return Stopwatch.GetTimestamp();
                    }
                }
                catch (PluginWireException)
                {
                    // Bound but not yet accepting: try again.
                }
            }

            if (_process.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"the plugin did not answer on {SocketPath} within {timeout.TotalSeconds} s"
                    + (_process.HasExited ? " (it exited)" : string.Empty) + ":\n" + _process.LogTail());
            }

            // 1 ms polling: the resolution of the start-up figure, without a spinning core taken from the plugin.
            Thread.Sleep(1);
        }
    }

    public string LogTail() => _process.LogTail();

    /// <summary>Everything the plugin has logged so far.</summary>
    public string ReadLog() => _process.ReadLog();

    public void Dispose() => _process.Dispose();
}
