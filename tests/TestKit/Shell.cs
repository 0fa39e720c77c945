using System.Diagnostics;
using System.Text;

namespace CiliumDocker.TestKit;

/// <summary>What a program run by <see cref="Shell"/> printed and how it exited.</summary>
/// <param name="Command">the program and its arguments, as a person would type them.</param>
/// <param name="ExitCode">the exit status; -1 when the hang guard killed it.</param>
/// <param name="StdOut">standard output, as printed.</param>
/// <param name="StdErr">standard error, as printed.</param>
/// <param name="Elapsed">wall time from start to exit.</param>
public sealed record ShellResult(string Command, int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Standard output without the surrounding white space (the trailing newline).</summary>
    public string Output => StdOut.Trim();

    public override string ToString() => $"`{Command}` exited {ExitCode}\nstdout: {StdOut.Trim()}\nstderr: {StdErr.Trim()}";

    /// <summary>This result, or an <see cref="InvalidOperationException"/> with the full output when the command failed.</summary>
    public ShellResult EnsureSuccess() => Succeeded ? this : throw new InvalidOperationException(ToString());
}

/// <summary>Runs programs to completion the way a person at a shell would (ip, docker, scripts), with a hang guard on each.</summary>
public static class Shell
{
    /// <summary>How long a program may run unless the caller says otherwise; it is killed after that.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(2);

    public static ShellResult Run(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, string? stdin = null)
    {
        using var run = new Running(fileName, arguments, stdin);
        var limit = timeout ?? DefaultTimeout;
        return run.Process.WaitForExit(limit) ? run.Exited() : run.Kill(limit);
    }

    public static ShellResult Run(string fileName, params string[] arguments) => Run(fileName, (IEnumerable<string>)arguments);

    /// <summary>Runs and throws with the full output when the command fails.</summary>
    public static ShellResult MustRun(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        Run(fileName, arguments, timeout).EnsureSuccess();

    /// <summary>Runs and throws with the full output when the command fails.</summary>
    public static ShellResult MustRun(string fileName, params string[] arguments) => Run(fileName, arguments).EnsureSuccess();

    public static async Task<ShellResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, string? stdin = null)
    {
        using var run = new Running(fileName, arguments, stdin);
        var limit = timeout ?? DefaultTimeout;
        using var guard = new CancellationTokenSource(limit);
        try
        {
            await run.Process.WaitForExitAsync(guard.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            return run.Kill(limit);
        }

        return run.Exited();
    }

    public static Task<ShellResult> RunAsync(string fileName, params string[] arguments) => RunAsync(fileName, (IEnumerable<string>)arguments);

    /// <summary>Runs and throws with the full output when the command fails.</summary>
    public static async Task<ShellResult> MustRunAsync(string fileName, params string[] arguments) =>
        (await RunAsync(fileName, arguments).ConfigureAwait(false)).EnsureSuccess();

    /// <summary>The full path of <paramref name="tool"/> on <c>PATH</c> or in the system directories, or null.</summary>
    public static string? Find(string tool) =>
        $"{Environment.GetEnvironmentVariable("PATH")}:/usr/sbin:/sbin:/usr/bin:/bin"
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    /// <summary>One started program whose output is being collected.</summary>
    private sealed class Running : IDisposable
    {
        private readonly string _command;
        private readonly Stopwatch _clock;
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();

        public Running(string fileName, IEnumerable<string> arguments, string? stdin)
        {
            ArgumentNullException.ThrowIfNull(arguments);
            var startInfo = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = stdin is not null,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            _command = fileName + " " + string.Join(' ', startInfo.ArgumentList);
            _clock = Stopwatch.StartNew();
            Process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {_command}");
            Process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
            Process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
            if (stdin is not null)
            {
                Process.StandardInput.Write(stdin);
                Process.StandardInput.Close();
            }
        }

        public Process Process { get; }

        public ShellResult Exited()
        {
            // Without a timeout this also waits until the output has been read to its end.
            Process.WaitForExit();
            _clock.Stop();
            return new ShellResult(_command, Process.ExitCode, Text(_stdout), Text(_stderr), _clock.Elapsed);
        }

        public ShellResult Kill(TimeSpan limit)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
            return new ShellResult(_command, -1, Text(_stdout), Text(_stderr) + $"\n(killed after {limit.TotalSeconds} s)", _clock.Elapsed);
        }

        public void Dispose() => Process.Dispose();

        private static void Append(StringBuilder into, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (into)
            {
                into.AppendLine(line);
            }
        }

        private static string Text(StringBuilder from)
        {
            lock (from)
            {
                return from.ToString();
            }
        }
    }
}
