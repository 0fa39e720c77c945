namespace CiliumDocker.TestKit;

/// <summary>The repository the suites and benchmarks run from, and the binaries they start.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The directory with <c>build-plugin.sh</c>, above the current directory or above the running assembly.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>
    /// The published plugin binary: <c>CILIUM_DOCKER_BIN</c> (tests/run-all.sh and bench/run.sh set it), else
    /// <c>artifacts/publish/cilium-docker/cilium-docker</c>.
    /// </summary>
    public static string PluginBinary =>
        Existing("CILIUM_DOCKER_BIN", Path.Combine(Root, "artifacts/publish/cilium-docker/cilium-docker"));

    /// <summary>
    /// The agent simulator: <c>CILIUM_AGENT_SIM_BIN</c> (e.g. the Native AOT publish), else the apphost copied next to
    /// a project that references the simulator, else <c>artifacts/publish/cilium-agent-sim/cilium-agent-sim</c>.
    /// </summary>
    public static string SimulatorBinary
    {
        get
        {
            var copied = Path.Combine(AppContext.BaseDirectory, "cilium-agent-sim");
            return Environment.GetEnvironmentVariable("CILIUM_AGENT_SIM_BIN") is not { Length: > 0 } && File.Exists(copied)
                ? copied
                : Existing("CILIUM_AGENT_SIM_BIN", Path.Combine(Root, "artifacts/publish/cilium-agent-sim/cilium-agent-sim"));
        }
    }

    private static string Existing(string variable, string fallback)
    {
        var path = Environment.GetEnvironmentVariable(variable);
        path = string.IsNullOrEmpty(path) ? fallback : path;
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} does not exist: publish it (tests/run-all.sh and bench/run.sh do), or set {variable}");
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "build-plugin.sh")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException(
            "the repository root (with build-plugin.sh) is neither above the current directory nor above " + AppContext.BaseDirectory);
    }
}
