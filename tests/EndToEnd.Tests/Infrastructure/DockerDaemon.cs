namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// The Docker Engine the suite drives. An engine that already runs is used as it is (and never restarted);
/// otherwise the suite starts <c>dockerd</c> itself and stops it at the end.
/// </summary>
internal sealed class DockerDaemon : IDisposable
{
    private readonly string _logPath;
    private BackgroundProcess? _owned;

    private DockerDaemon(string logPath)
    {
        _logPath = logPath;
    }

    public bool OwnedBySuite => _owned is not null;

    public string Log => _owned?.ReadLog() ?? string.Empty;

    public static DockerDaemon EnsureRunning(string logPath)
    {
        var daemon = new DockerDaemon(logPath);
        if (!IsAnswering())
        {
            daemon.Start();
        }

        return daemon;
    }

    public static bool IsAnswering() => Shell.Run("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(20)).Succeeded;

    /// <summary>Stops and starts the engine the suite owns, as <c>systemctl restart docker</c> would.</summary>
    public void Restart()
    {
        if (_owned is null)
        {
            throw new InvalidOperationException("the Docker daemon was not started by the suite; it is not restarted");
        }

        _owned.Stop(TimeSpan.FromSeconds(60));
        _owned.Dispose();
        _owned = null;
        Start();
    }

    private void Start()
    {
        _owned = BackgroundProcess.Start("dockerd", [], _logPath);
        if (!Wait.Until(IsAnswering, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500)))
        {
            throw new InvalidOperationException("dockerd did not start answering within 90 s:\n" + _owned.ReadLog());
        }
    }

    public void Dispose()
    {
        _owned?.Stop(TimeSpan.FromSeconds(60));
        _owned?.Dispose();
    }
}
