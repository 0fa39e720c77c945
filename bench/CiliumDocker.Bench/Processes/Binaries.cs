namespace CiliumDocker.Bench.Processes;

/// <summary>Where the published Native AOT binaries and the repository's scripts are.</summary>
internal static class Binaries
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary><c>CILIUM_DOCKER_BIN</c>, else <c>artifacts/publish/cilium-docker/cilium-docker</c> (what bench/run.sh publishes).</summary>
    public static string Plugin => FromEnvironment("CILIUM_DOCKER_BIN", "artifacts/publish/cilium-docker/cilium-docker");

    public static string Simulator => FromEnvironment("CILIUM_AGENT_SIM_BIN", "artifacts/publish/cilium-agent-sim/cilium-agent-sim");

    private static string FromEnvironment(string variable, string fallback)
    {
        var path = Environment.GetEnvironmentVariable(variable);
        path = string.IsNullOrEmpty(path) ? Path.Combine(RepositoryRoot, fallback) : path;
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} does not exist: run bench/run.sh (it publishes the binaries), or set {variable}");
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

        throw new DirectoryNotFoundException("the repository root (with build-plugin.sh) is neither above the current directory nor above " + AppContext.BaseDirectory);
    }
}
