using System.Diagnostics;
using System.Text;
using CiliumDocker.Hosting;
using CiliumDocker.Tests.TestDoubles;

namespace CiliumDocker.Tests.Integration;

/// <summary>
/// The published plugin binary running in a network namespace of its own (<c>unshare -n</c>), so whatever its
/// datapath creates stays out of the host; its Unix socket and the agent's are plain files and work across.
/// </summary>
internal sealed class PluginProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private PluginProcess(Process process, string directory)
    {
        _process = process;
        Directory = directory;
        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "cilium.sock");

    public string StateDirectory => Path.Combine(Directory, "state");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

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

    /// <summary>A short temporary directory: the socket path must stay under 108 bytes.</summary>
    public static string NewDirectory() => System.IO.Directory.CreateDirectory($"/tmp/cdi-{Guid.NewGuid():N}"[..17]).FullName;

    public static PluginProcess Start(string agentUri, string? directory = null, IReadOnlyDictionary<string, string>? environment = null, params string[] extraArguments)
    {
        directory ??= NewDirectory();
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                "-n", "--", PublishedBinary.Path,
                "--docker-plugins", directory,
                "--cilium-api", agentUri,
                "--state-dir", Path.Combine(directory, "state"),
                "--docker-host-path", "unix:///nonexistent/docker.sock",
            },
        };
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "CILIUM_SOCK", "LOG_LEVEL", "RETRY_BUDGET", "ADDRESS_CLAIM_TIMEOUT", "STATE_DIR", "DOCKER_HOST_PATH", CommandLine.InlineCompletionsVariable, CommandLine.SocketThreadsVariable })
        {
            start.Environment.Remove(name);
        }

        start.Environment["LOG_LEVEL"] = "debug";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new PluginProcess(Process.Start(start)!, directory);
    }

    /// <summary>Runs the binary with arguments only (no socket, no agent) and collects what it prints.</summary>
    public static Task<(int ExitCode, string StandardOutput, string StandardError)> RunToEndAsync(CancellationToken cancellationToken, params string[] arguments)
        => RunToEndAsync(new Dictionary<string, string>(), cancellationToken, arguments);

    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunToEndAsync(
        IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(PublishedBinary.Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await errors);
    }

    public Task<WireResponse> PostAsync(string path, string? body, CancellationToken cancellationToken)
        => DockerWire.PostAsync(SocketPath, path, body, cancellationToken);

    public Task<WireResponse> GetAsync(string path, CancellationToken cancellationToken)
        => DockerWire.SendAsync(SocketPath, "GET", path, [], cancellationToken);

    /// <summary>Waits until the socket answers <c>/Plugin.Activate</c> and returns how long that took from now.</summary>
    public async Task<TimeSpan> WaitUntilServingAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the plugin exited with {_process.ExitCode} before serving:\n{Output}");
            }

            try
            {
                if ((await PostAsync("/Plugin.Activate", null, cancellationToken)).Status == 200)
                {
                    return watch.Elapsed;
                }
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
            {
                // Not listening yet.
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>SIGTERM, as Docker sends on disable and daemon shutdown.</summary>
    public async Task<int> TerminateAsync(CancellationToken cancellationToken)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancellationToken);
        }

        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: a crash that leaves the socket file behind.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
