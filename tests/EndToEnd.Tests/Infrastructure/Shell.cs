using System.Diagnostics;
using System.Text;

namespace EndToEnd.Tests.Infrastructure;

internal sealed record ShellResult(string Command, int ExitCode, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    public string Output => StdOut.Trim();

    public override string ToString() => $"`{Command}` exited {ExitCode}\nstdout: {StdOut.Trim()}\nstderr: {StdErr.Trim()}";
}

/// <summary>Runs programs the way a person at a shell would, with a hang guard on each.</summary>
internal static class Shell
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    public static ShellResult Run(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, string? stdin = null)
    {
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

        var command = fileName + " " + string.Join(' ', startInfo.ArgumentList);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {command}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }

        if (!process.WaitForExit(timeout ?? DefaultTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new ShellResult(command, -1, stdout.ToString(), stderr + $"\n(killed after {(timeout ?? DefaultTimeout).TotalSeconds} s)");
        }

        process.WaitForExit();
        return new ShellResult(command, process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public static ShellResult Run(string fileName, params string[] arguments) => Run(fileName, (IEnumerable<string>)arguments);

    /// <summary>Runs and throws with the full output when the command fails.</summary>
    public static ShellResult MustRun(string fileName, params string[] arguments)
    {
        var result = Run(fileName, arguments);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.ToString());
        }

        return result;
    }
}
