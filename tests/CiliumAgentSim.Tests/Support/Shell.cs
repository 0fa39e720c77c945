using System.Diagnostics;

namespace CiliumAgentSim.Tests.Support;

internal static class Shell
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Runs and fails the test with the command's own error when it does not succeed.</summary>
    public static async Task<string> MustAsync(string file, params string[] arguments)
    {
        var (exit, output, error) = await RunAsync(file, arguments);
        if (exit != 0)
        {
            Assert.Fail($"{file} {string.Join(' ', arguments)} failed ({exit}): {error}");
        }

        return output;
    }

    public static string? Find(string tool) =>
        $"{Environment.GetEnvironmentVariable("PATH")}:/usr/sbin:/sbin:/usr/bin:/bin"
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    public static bool IsRoot() => CiliumAgentSim.Hosting.ProcessIdentity.IsRoot();
}
