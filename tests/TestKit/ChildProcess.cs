using System.Diagnostics;
using System.Globalization;

namespace CiliumDocker.TestKit;

/// <summary>
/// A program a test suite or benchmark started itself (a daemon, the plugin, the simulator), its output appended to
/// a log file, and stopped by its PID only: SIGTERM first, SIGKILL after a grace period. The shell only sets up the
/// redirection and then execs, so the PID held here is the program's own (what signals and <c>/proc/PID</c> need).
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly long _logStart;
    private bool _disposed;

    private ChildProcess(Process process, string logPath, long logStart)
    {
        _process = process;
        LogPath = logPath;
        _logStart = logStart;
    }

    /// <summary>How long <see cref="Dispose"/> waits after SIGTERM before it kills.</summary>
    public static TimeSpan DefaultGrace { get; } = TimeSpan.FromSeconds(15);

    /// <summary>The log, appended to: a program started again on the same log keeps what the earlier run wrote.</summary>
    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit status; only once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <param name="logPath">standard output and standard error are appended here (its directory is created);
    /// standard input is <c>/dev/null</c>.</param>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string logPath)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var log = Path.GetFullPath(logPath);
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var logStart = File.Exists(log) ? new FileInfo(log).Length : 0;
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$CHILD_PROCESS_LOG\" 2>&1 </dev/null");
        startInfo.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["CHILD_PROCESS_LOG"] = log;
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new ChildProcess(process, log, logStart);
    }

    /// <summary>What this process wrote to its log so far (not what earlier runs on the same log wrote).</summary>
    public string ReadLog()
    {
        if (!File.Exists(LogPath))
        {
            return string.Empty;
        }

        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Min(_logStart, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The last lines of <see cref="ReadLog"/>, for error messages.</summary>
    public string LogTail(int lines = 30)
    {
        var log = ReadLog();
        return log.Length == 0 ? "(no log)" : string.Join('\n', log.Split('\n').SkipLast(log.EndsWith('\n') ? 1 : 0).TakeLast(lines));
    }

    /// <summary>SIGTERM, as systemd and the harnesses stop a daemon; does not wait.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && Native.Kill(_process.Id, Native.SigTerm) != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"kill -TERM {_process.Id} failed"));
        }
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        Terminate();
        if (!_process.WaitForExit(grace))
        {
            Kill();
        }
    }

    /// <summary>SIGKILL, as a crash or the OOM killer would end it.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    /// <returns>the exit status.</returns>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary><see cref="Stop"/> with <see cref="DefaultGrace"/>; a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Stop(DefaultGrace);
        _process.Dispose();
    }
}
