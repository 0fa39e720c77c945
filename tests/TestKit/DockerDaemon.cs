namespace CiliumDocker.TestKit;

/// <summary>
/// The Docker Engine a suite or benchmark drives. An engine that already answers is used as it is (and never
/// restarted); otherwise <c>dockerd</c> is started here and stopped, by its PID, on dispose. <c>E2E_DOCKERD</c> names
/// another engine to start instead of the system's: a launcher <c>tests/lib/engines.sh</c> writes for a newer engine,
/// which brings its own binaries, data root and exec root.
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

    /// <summary>The command this class starts: <c>E2E_DOCKERD</c> (a program and its arguments, split at spaces) when
    /// set, else the <c>dockerd</c> on <c>PATH</c>.</summary>
    public static IReadOnlyList<string> Command =>
        Environment.GetEnvironmentVariable("E2E_DOCKERD") is { Length: > 0 } launcher
            ? launcher.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : ["dockerd"];

    /// <summary>The engine's exec root (<c>--exec-root</c>), where runc keeps the state of its containers and plugins:
    /// <c>E2E_DOCKER_EXEC_ROOT</c> for an engine started through <c>E2E_DOCKERD</c>, else dockerd's default.</summary>
    public static string ExecRoot => Environment.GetEnvironmentVariable("E2E_DOCKER_EXEC_ROOT") is { Length: > 0 } root ? root : "/run/docker";

    /// <summary>The engine's version as it reports it (<c>28.5.2</c>, <c>20.10.24+dfsg1</c>): what tests that depend on
    /// an engine's behaviour compare against.</summary>
    public static Version ServerVersion()
    {
        var result = Docker.Run(TimeSpan.FromSeconds(20), "version", "--format", "{{.Server.Version}}");
        var text = result.Output.Trim();
        var numeric = new string([.. text.TakeWhile(c => char.IsDigit(c) || c == '.')]);
        return result.Succeeded && Version.TryParse(numeric, out var version)
            ? version
            : throw new InvalidOperationException($"the Docker Engine's version could not be read: \"{text}\" {result.StdErr}");
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
        var daemon = ChildProcess.Start(Command[0], Command.Skip(1), _logPath);
        _owned = daemon;
        if (!Eventually.Until(() => daemon.HasExited || IsAnswering(), StartLimit, TimeSpan.FromMilliseconds(500)) || daemon.HasExited)
        {
            var log = daemon.LogTail(60);
            StopOwned();
            throw new InvalidOperationException($"{string.Join(' ', Command)} did not start answering within {StartLimit.TotalSeconds} s:\n{log}");
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
