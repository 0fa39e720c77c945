namespace CiliumDocker.TestKit;

/// <summary>
/// The Docker Engine a suite or benchmark drives. An engine that already answers is used as it is (and never
/// restarted); otherwise <c>dockerd</c> is started here and stopped, by its PID, on dispose.
/// </summary>
public sealed class DockerDaemon : IDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    private readonly string _logPath;
    private ChildProcess? _owned;

    private DockerDaemon(string logPath)
    {
        _logPath = logPath;
    }

    /// <summary>Whether <c>dockerd</c> was started here (and so is stopped and may be restarted here).</summary>
    public bool StartedHere => _owned is not null;

    /// <param name="logPath">dockerd's log, when it is started here.</param>
    public static DockerDaemon EnsureRunning(string logPath)
    {
        var daemon = new DockerDaemon(logPath);
        if (!IsAnswering())
        {
            daemon.Start();
        }

        return daemon;
    }

    public static bool IsAnswering() => Docker.Run(TimeSpan.FromSeconds(20), "info", "--format", "{{.ServerVersion}}").Succeeded;

    /// <summary>Stops and starts the engine started here, as <c>systemctl restart docker</c> would.</summary>
    public void Restart()
    {
        if (_owned is null)
        {
            throw new InvalidOperationException("the Docker daemon was not started here; it is not restarted");
        }

        StopOwned();
        Start();
    }

    public void Dispose() => StopOwned();

    private void Start()
    {
        var daemon = ChildProcess.Start("dockerd", [], _logPath);
        _owned = daemon;
        if (!Eventually.Until(() => daemon.HasExited || IsAnswering(), StartLimit, TimeSpan.FromMilliseconds(500)) || daemon.HasExited)
        {
            var log = daemon.LogTail(60);
            StopOwned();
            throw new InvalidOperationException($"dockerd did not start answering within {StartLimit.TotalSeconds} s:\n{log}");
        }
    }

    private void StopOwned()
    {
        if (_owned is { } owned)
        {
            owned.Stop(StopGrace);
            owned.Dispose();
            _owned = null;
        }
    }
}
