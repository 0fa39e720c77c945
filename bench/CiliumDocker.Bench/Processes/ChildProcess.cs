using System.Diagnostics;

namespace CiliumDocker.Bench.Processes;

/// <summary>
/// A process the benchmark started, its output appended to a log file, and stopped by its PID only (SIGTERM, then
/// SIGKILL after a grace period). The shell only sets up the redirection and then execs, so the PID held here is
/// the program's own, which is what <c>/proc/PID/stat</c> is read from.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process, string logPath, string name)
    {
        _process = process;
        LogPath = logPath;
        Name = name;
    }

    public string LogPath { get; }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string logPath)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$BENCH_LOG\" 2>&1 </dev/null");
        startInfo.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["BENCH_LOG"] = logPath;
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new ChildProcess(process, logPath, Path.GetFileName(fileName));
    }

    /// <summary>The last lines of the log, for error messages.</summary>
    public string LogTail(int lines = 30) =>
        File.Exists(LogPath) ? string.Join('\n', File.ReadLines(LogPath).TakeLast(lines)) : "(no log)";

    public void Stop(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = Native.Kill(_process.Id, Native.SigTerm);
        if (!_process.WaitForExit(grace))
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}
