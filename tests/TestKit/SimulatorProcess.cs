using System.Globalization;

namespace CiliumDocker.TestKit;

/// <summary>
/// The Cilium agent simulator (<c>cilium-agent-sim</c>, <see cref="RepositoryPaths.SimulatorBinary"/>) as a child
/// process, its output in a log file. Disposing stops it by its PID (SIGTERM, so that it removes its sockets and,
/// with <c>--datapath</c>, its routes) and removes a log it chose itself.
/// </summary>
public sealed class SimulatorProcess : IDisposable
{
    /// <summary>The line the simulator prints once both its sockets accept connections.</summary>
    public const string ReadyLine = "cilium-agent-sim ready";

    private static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly ChildProcess _process;
    private readonly bool _ownsLog;

    private SimulatorProcess(ChildProcess process, bool ownsLog)
    {
        _process = process;
        _ownsLog = ownsLog;
    }

    /// <summary>Everything this process printed so far (standard output and standard error).</summary>
    public string Output => _process.ReadLog();

    public string LogPath => _process.LogPath;

    public int Pid => _process.Pid;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts it with <paramref name="arguments"/>, its log in a temporary file removed on dispose; does not wait.</summary>
    public static SimulatorProcess Start(params string[] arguments) =>
        Start(arguments, Path.Combine(Path.GetTempPath(), "cilium-agent-sim-" + Guid.NewGuid().ToString("N")[..10] + ".log"), ownsLog: true);

    /// <summary>Starts it with <paramref name="arguments"/>, its output appended to <paramref name="logPath"/>; does not wait.</summary>
    public static SimulatorProcess Start(IEnumerable<string> arguments, string logPath) => Start(arguments, logPath, ownsLog: false);

    /// <summary>Starts it and waits until it is ready; stops it again and throws with its output if it is not.</summary>
    /// <param name="logPath">where its output is appended, or null for a temporary file removed on dispose.</param>
    public static SimulatorProcess StartReady(IEnumerable<string> arguments, string? logPath = null)
    {
        var simulator = logPath is null ? Start([.. arguments]) : Start(arguments, logPath);
        try
        {
            simulator.WaitReadyAsync().GetAwaiter().GetResult();
        }
        catch
        {
            simulator.Dispose();
            throw;
        }

        return simulator;
    }

    /// <summary>Waits for <see cref="ReadyLine"/>, so that callers never race the sockets.</summary>
    /// <param name="timeout">30 s by default.</param>
    /// <exception cref="InvalidOperationException">it exited first.</exception>
    /// <exception cref="TimeoutException">it printed no ready line in time.</exception>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultReadyTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (!Output.Contains(ReadyLine, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"cilium-agent-sim exited with {_process.ExitCode} before it was ready:\n{Output}"));
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"cilium-agent-sim was not ready within {limit.TotalSeconds} s:\n{_process.LogTail()}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <returns>the exit status.</returns>
    public Task<int> WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGTERM, as systemd and the test harnesses stop it; does not wait.</summary>
    public void Terminate() => _process.Terminate();

    public void Dispose()
    {
        _process.Dispose();
        if (_ownsLog)
        {
            File.Delete(_process.LogPath);
        }
    }

    private static SimulatorProcess Start(IEnumerable<string> arguments, string logPath, bool ownsLog) =>
        new(ChildProcess.Start(RepositoryPaths.SimulatorBinary, arguments, logPath), ownsLog);
}
