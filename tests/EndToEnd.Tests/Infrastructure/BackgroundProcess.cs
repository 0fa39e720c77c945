using System.Diagnostics;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>A daemon the suite started itself; stopped by its PID only, with SIGTERM first.</summary>
internal sealed class BackgroundProcess : IDisposable
{
    private readonly Process _process;

    private BackgroundProcess(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
    }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static BackgroundProcess Start(string fileName, IEnumerable<string> arguments, string logPath)
    {
        var log = Path.GetFullPath(logPath);
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        // The shell only redirects output to the log; exec keeps the daemon's PID the one we hold.
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LOG\" 2>&1");
        startInfo.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["LOG"] = log;
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        return new BackgroundProcess(process, log);
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        Shell.Run("kill", "-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!_process.WaitForExit(grace))
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    public string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : string.Empty;

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(15));
        _process.Dispose();
    }
}
