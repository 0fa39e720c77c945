namespace CiliumDocker.Bench.Processes;

/// <summary>
/// The Docker Engine the Docker benchmark drives: one that already answers is used as it is; otherwise
/// <c>dockerd</c> is started here and stopped (by its PID) at the end.
/// </summary>
internal sealed class DockerEngine : IDisposable
{
    private readonly ChildProcess? _owned;

    private DockerEngine(ChildProcess? owned)
    {
        _owned = owned;
    }

    public bool StartedHere => _owned is not null;

    public static DockerEngine EnsureRunning(string logPath)
    {
        if (IsAnswering())
        {
            return new DockerEngine(null);
        }

        var daemon = ChildProcess.Start("dockerd", [], logPath);
        var engine = new DockerEngine(daemon);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!IsAnswering())
        {
            if (daemon.HasExited || DateTime.UtcNow > deadline)
            {
                var log = daemon.LogTail();
                engine.Dispose();
                throw new InvalidOperationException("dockerd did not answer within 90 s:\n" + log);
            }

            Thread.Sleep(500);
        }

        return engine;
    }

    public static ShellResult Run(params string[] arguments) => Shell.Run("docker", arguments, TimeSpan.FromMinutes(2));

    public static string MustRun(params string[] arguments)
    {
        var result = Run(arguments);
        return result.Succeeded ? result.Output : throw new InvalidOperationException(result.ToString());
    }

    private static bool IsAnswering() => Shell.Run("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(20)).Succeeded;

    public void Dispose() => _owned?.Stop(TimeSpan.FromSeconds(60));
}
