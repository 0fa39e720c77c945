namespace EndToEnd.Tests.Infrastructure;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The published plugin binary: <c>CILIUM_DOCKER_BIN</c> (set by tests/run-all.sh) or the default publish folder.</summary>
    public static string PluginBinary => FromEnvironment("CILIUM_DOCKER_BIN", "artifacts/publish/cilium-docker/cilium-docker");

    public static string SimulatorBinary => FromEnvironment("CILIUM_AGENT_SIM_BIN", "artifacts/publish/cilium-agent-sim/cilium-agent-sim");

    public static string Logs { get; } = Path.Combine(Root, "artifacts", "e2e-logs");

    private static string FromEnvironment(string variable, string fallback)
    {
        var path = Environment.GetEnvironmentVariable(variable);
        path = string.IsNullOrEmpty(path) ? Path.Combine(Root, fallback) : path;
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} does not exist: run tests/run-all.sh, or publish it and set {variable}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "build-plugin.sh")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("the repository root (with build-plugin.sh) was not found above " + AppContext.BaseDirectory);
    }
}
