using System.Diagnostics;

namespace CiliumAgentSim.Datapath;

internal sealed record CommandResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs host tools (<c>ip</c>, <c>iptables</c>, <c>sysctl</c>); the simulator may shell out, the plugin may not.</summary>
internal interface ICommandRunner
{
    Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="tool"/> can be run.</summary>
    bool Exists(string tool);
}

/// <summary>
/// Runs tools directly or, with a network namespace path, through <c>nsenter --net=PATH</c>: the namespace is a
/// per-thread property in the kernel, so the child process is the reliable place to switch it.
/// </summary>
internal sealed class ProcessCommandRunner(string? netnsPath) : ICommandRunner
{
    public async Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo
        {
            FileName = Resolve(netnsPath is null ? tool : "nsenter") ?? tool,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (netnsPath is not null)
        {
            start.ArgumentList.Add("--net=" + netnsPath);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(Resolve(tool) ?? tool);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new DatapathException($"could not start {tool}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new CommandResult(process.ExitCode, await output, (await error).Trim());
    }

    public bool Exists(string tool) => Resolve(tool) is not null;

    /// <summary>Searches PATH, then the sbin directories a non-login root shell may lack.</summary>
    private static string? Resolve(string tool) =>
        $"{Environment.GetEnvironmentVariable("PATH")}:/usr/sbin:/sbin:/usr/bin:/bin"
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
}
