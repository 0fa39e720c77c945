using System.Globalization;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Soak;

/// <summary>What the soak must not leave behind, read from the agent, from Docker and from the host.</summary>
internal static class Leaks
{
    /// <summary>Addresses the agent has handed out, will not take back by itself, and no agent endpoint holds.</summary>
    public static IReadOnlyList<string> AddressesWithoutEndpoint() =>
        AgentState.AddressesKeptForever().Except(AgentState.EndpointAddresses()).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Agent endpoints whose docker-endpoint-id is not the endpoint of a running container.</summary>
    public static IReadOnlyList<string> EndpointsWithoutContainer()
    {
        var running = RunningContainerEndpointIds();
        var orphans = new List<string>();
        foreach (var endpoint in E2EEnvironment.Agent.Endpoints().EnumerateArray())
        {
            var id = endpoint.TryGetProperty("status", out var status) && status.TryGetProperty("external-identifiers", out var ids)
                && ids.TryGetProperty("docker-endpoint-id", out var dockerId)
                ? dockerId.GetString() ?? string.Empty
                : string.Empty;
            if (!running.Contains(id))
            {
                orphans.Add(endpoint.TryGetProperty("id", out var number) ? $"{number.GetRawText()} ({id})" : endpoint.GetRawText());
            }
        }

        return orphans;
    }

    /// <summary>lxc*/tmp* links on the host: the plugin's veth pairs.</summary>
    public static IReadOnlyList<string> Veths() =>
        Docker.Lines(Shell.MustRun("ip", "-o", "link", "show").Output)
            .Where(l => l.Contains(": lxc", StringComparison.Ordinal) || l.Contains(": tmp", StringComparison.Ordinal))
            .ToArray();

    /// <summary>Resident memory of a process, in KiB, from <c>/proc/PID/status</c>.</summary>
    public static long RssKiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no VmRSS in /proc/{pid}/status");
    }

    private static HashSet<string> RunningContainerEndpointIds()
    {
        var ids = Docker.Lines(Docker.MustRun("ps", "-q", "--no-trunc"));
        if (ids.Count == 0)
        {
            return [];
        }

        var endpoints = Docker.MustRun(["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.EndpointID}} {{end}}", .. ids]);
        return endpoints.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }
}
