namespace CiliumDocker.TestKit;

/// <summary>The real <c>docker</c> CLI, invoked exactly as a user types it (hang guard: <see cref="Shell.DefaultTimeout"/>).</summary>
public static class Docker
{
    public static ShellResult Run(params string[] arguments) => Shell.Run("docker", arguments);

    public static ShellResult Run(TimeSpan timeout, params string[] arguments) => Shell.Run("docker", arguments, timeout);

    /// <summary>Runs and returns the trimmed standard output; throws with the full output when it fails.</summary>
    public static string MustRun(params string[] arguments) => Shell.MustRun("docker", arguments).Output;

    /// <summary>Best-effort removal used by clean-ups: never throws, so one leftover cannot hide another.</summary>
    public static void TryRun(params string[] arguments) => Run(arguments);

    public static string ContainerIp(string container, string network) =>
        MustRun("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", container);

    public static string Exec(string container, string command) => MustRun("exec", container, "sh", "-c", command);

    public static IReadOnlyList<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
