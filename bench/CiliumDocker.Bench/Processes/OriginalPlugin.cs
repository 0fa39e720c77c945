using System.Text.RegularExpressions;

namespace CiliumDocker.Bench.Processes;

/// <summary>
/// Cilium's own Go <c>cilium-docker</c> (commit fe14fc9e, the peer of issue 14): where its binary is, and what in its
/// log means a call went wrong although Docker got a 200 (its Leave and DeleteEndpoint only log agent and link errors).
/// </summary>
internal static partial class OriginalPlugin
{
    /// <summary>
    /// <c>CILIUM_DOCKER_ORIGINAL_BIN</c>, else <c>artifacts/original/cilium-docker-original</c>, decompressed there
    /// first from <c>CILIUM_DOCKER_ORIGINAL_XZ</c> (default <c>../shared/real-cilium/bin/cilium-docker-original.xz</c>
    /// beside the repository) when it is missing: the binary is 14 MB and is not committed.
    /// </summary>
    public static string Binary()
    {
        if (Environment.GetEnvironmentVariable("CILIUM_DOCKER_ORIGINAL_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"CILIUM_DOCKER_ORIGINAL_BIN={configured} does not exist");
        }

        var binary = Path.Combine(RepositoryPaths.Root, "artifacts/original/cilium-docker-original");
        if (File.Exists(binary))
        {
            return binary;
        }

        var xz = Environment.GetEnvironmentVariable("CILIUM_DOCKER_ORIGINAL_XZ") is { Length: > 0 } packed
            ? packed
            : Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "../shared/real-cilium/bin/cilium-docker-original.xz"));
        if (!File.Exists(xz))
        {
            throw new FileNotFoundException($"neither {binary} nor {xz} exists: set CILIUM_DOCKER_ORIGINAL_BIN or CILIUM_DOCKER_ORIGINAL_XZ");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        // Into a temp name first, so that an interrupted run never leaves a truncated binary that looks present.
        var partial = binary + ".partial";
        Shell.MustRun("sh", "-c", "xz -dc \"$0\" > \"$1\" && chmod +x \"$1\"", xz, partial);
        File.Move(partial, binary, overwrite: true);
        return binary;
    }

    /// <summary>
    /// Warning, error and fatal lines of the original's logrus log, except the Docker events watcher's reconnect
    /// notes: the benchmark points it at a socket where no Docker Engine listens, on purpose.
    /// </summary>
    public static IReadOnlyList<string> Problems(string log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return log.Split('\n')
            .Where(line => ProblemLevel().IsMatch(line) && !line.Contains("Unable to connect to docker events channel", StringComparison.Ordinal))
            .ToArray();
    }

    [GeneratedRegex(@"\blevel=(warning|error|fatal|panic)\b")]
    private static partial Regex ProblemLevel();
}
