using System.Diagnostics;
using System.Text;

namespace CiliumAgentSim.Tests.Support;

/// <summary>
/// The built executable as a child process. <c>CILIUM_AGENT_SIM_BIN</c> points at another build (e.g. the Native AOT
/// publish); by default the apphost copied next to the tests is used.
/// </summary>
internal sealed class SimProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SimProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string Executable =>
        Environment.GetEnvironmentVariable("CILIUM_AGENT_SIM_BIN") is { Length: > 0 } bin
            ? bin
            : Path.Combine(AppContext.BaseDirectory, "cilium-agent-sim");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    public static SimProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new SimProcess(Process.Start(start)!);
    }

    /// <summary>Waits for the ready line (or an early exit) so tests never race the socket.</summary>
    public async Task WaitReadyAsync()
    {
        while (!Output.Contains("cilium-agent-sim ready", StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                Assert.Fail($"cilium-agent-sim exited with {_process.ExitCode}: {Output}");
            }

            await Task.Delay(20);
        }
    }

    public async Task<int> WaitExitAsync()
    {
        await _process.WaitForExitAsync();
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as systemd and the test harnesses stop it.</summary>
    public Task TerminateAsync() => Shell.RunAsync("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
