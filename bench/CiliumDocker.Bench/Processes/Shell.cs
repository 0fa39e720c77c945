using System.Diagnostics;
using System.Text;

namespace CiliumDocker.Bench.Processes;

internal sealed record ShellResult(string Command, int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    public string Output => StdOut.Trim();

    public override string ToString() => $"`{Command}` exited {ExitCode}\nstdout: {StdOut.Trim()}\nstderr: {StdErr.Trim()}";
}

/// <summary>Runs a program to completion (ip, docker, the bundle script) with a hang guard.</summary>
internal static class Shell
{
    public static ShellResult Run(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var command = fileName + " " + string.Join(' ', startInfo.ArgumentList);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {command}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ShellResult(command, -1, stdout.ToString(), stderr + $"\n(killed after {limit.TotalSeconds} s)", clock.Elapsed);
        }

        process.WaitForExit();
        clock.Stop();
        return new ShellResult(command, process.ExitCode, stdout.ToString(), stderr.ToString(), clock.Elapsed);
    }

    public static ShellResult Run(string fileName, params string[] arguments) => Run(fileName, (IEnumerable<string>)arguments);

    public static ShellResult MustRun(string fileName, params string[] arguments)
    {
        var result = Run(fileName, arguments);
        return result.Succeeded ? result : throw new InvalidOperationException(result.ToString());
    }

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
}
