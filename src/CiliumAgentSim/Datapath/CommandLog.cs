using CiliumAgentSim.Hosting;

namespace CiliumAgentSim.Datapath;

internal static class CommandLog
{
    /// <summary>Runs a tool and logs it; a failure throws when <paramref name="mustSucceed"/>, else is logged and answered.</summary>
    public static async Task<CommandResult> RunLoggedAsync(
        this ICommandRunner runner, ILogger logger, string tool, IReadOnlyList<string> arguments, bool mustSucceed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var result = await runner.RunAsync(tool, arguments, cancellationToken);
        var line = $"{tool} {string.Join(' ', arguments)}";
        if (result.Succeeded)
        {
            SimLog.Command(logger, line);
        }
        else if (mustSucceed)
        {
            throw new DatapathException($"'{line}' failed (exit {result.ExitCode}): {result.Error}");
        }
        else
        {
            SimLog.CommandIgnored(logger, line, result.Error);
        }

        return result;
    }
}
