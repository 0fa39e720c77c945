using System.Text.Json;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>Reads what the agent holds: the leak checks compare it with what Docker holds.</summary>
internal static class AgentState
{
    /// <summary>Every address the agent's IPAM has handed out and not had released.</summary>
    public static IReadOnlySet<string> AllocatedAddresses() => Addresses(static _ => true);

    /// <summary>
    /// Allocated addresses the agent will not take back by itself: every one but those still under an expiration
    /// timer. An allocation whose answer was lost (the agent restarted mid-request) is such a timed one; the agent
    /// frees it when the timer runs out, which is why the plugin allocates with expiration. The leak checks use this.
    /// </summary>
    public static IReadOnlySet<string> AddressesKeptForever() => Addresses(static allocation => !allocation.Timed);

    private static HashSet<string> Addresses(Func<AgentAllocation, bool> include) =>
        [.. E2EEnvironment.Agent.Allocations().Where(include).Select(static allocation => allocation.Ip)];

    /// <summary>The addresses of the agent's endpoints (<c>status.networking.addressing</c>), bare IPs.</summary>
    public static IReadOnlySet<string> EndpointAddresses()
    {
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in E2EEnvironment.Agent.Endpoints().EnumerateArray())
        {
            if (!endpoint.TryGetProperty("status", out var status) || !status.TryGetProperty("networking", out var networking)
                || !networking.TryGetProperty("addressing", out var addressing))
            {
                continue;
            }

            foreach (var pair in addressing.EnumerateArray())
            {
                foreach (var family in new[] { "ipv4", "ipv6" })
                {
                    if (pair.TryGetProperty(family, out var ip) && ip.GetString() is { Length: > 0 } text)
                    {
                        addresses.Add(text.Split('/')[0]);
                    }
                }
            }
        }

        return addresses;
    }

    /// <summary>The agent's services this plugin made (namespace <c>cilium-docker</c>), as "frontend -> backends",
    /// e.g. <c>0.0.0.0:8080 -> 10.11.0.5:80</c>. Cilium 1.10 answers no protocol: it does not tell TCP from UDP.</summary>
    public static IReadOnlyList<string> PublishedServices()
    {
        var services = new List<string>();
        foreach (var service in E2EEnvironment.Agent.Services().EnumerateArray())
        {
            var spec = service.GetProperty("spec");
            if (!spec.TryGetProperty("flags", out var flags) || !flags.TryGetProperty("namespace", out var ns) || ns.GetString() != "cilium-docker")
            {
                continue;
            }

            var frontend = spec.GetProperty("frontend-address");
            var backends = spec.TryGetProperty("backend-addresses", out var list) && list.ValueKind == JsonValueKind.Array
                ? string.Join(", ", list.EnumerateArray().Select(static backend => $"{Address(backend)}:{backend.GetProperty("port").GetInt32()}"))
                : string.Empty;
            services.Add($"{Address(frontend)}:{frontend.GetProperty("port").GetInt32()} -> {backends}");
        }

        return services;

        static string Address(JsonElement address) => address.GetProperty("ip").GetString() is { } ip && ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : address.GetProperty("ip").GetString()!;
    }

    /// <summary>Endpoints a plugin registered: the real agent also has its own (the host endpoint), without a Docker id.</summary>
    public static int EndpointCount() =>
        E2EEnvironment.Agent.Endpoints().EnumerateArray().Count(static endpoint => DockerEndpointId(endpoint) is not null);

    /// <summary>Labels of the agent endpoint whose docker-endpoint-id is <paramref name="dockerEndpointId"/>.</summary>
    public static IReadOnlyList<string> Labels(string dockerEndpointId)
    {
        foreach (var endpoint in E2EEnvironment.Agent.Endpoints().EnumerateArray())
        {
            if (DockerEndpointId(endpoint) == dockerEndpointId)
            {
                return LabelStrings(endpoint.GetProperty("status"));
            }
        }

        return [];
    }

    /// <summary>The labels of the security identity the agent gave that endpoint (empty until it has one).</summary>
    public static IReadOnlyList<string> IdentityLabels(string dockerEndpointId)
    {
        foreach (var endpoint in E2EEnvironment.Agent.Endpoints().EnumerateArray())
        {
            if (DockerEndpointId(endpoint) == dockerEndpointId && endpoint.GetProperty("status").TryGetProperty("identity", out var identity)
                && identity.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Array)
            {
                return [.. labels.EnumerateArray().Select(static label => label.GetString()!)];
            }
        }

        return [];
    }

    /// <summary>Whether the agent has an endpoint for that Docker endpoint.</summary>
    public static bool HasEndpoint(string dockerEndpointId) =>
        E2EEnvironment.Agent.Endpoints().EnumerateArray().Any(endpoint => DockerEndpointId(endpoint) == dockerEndpointId);

    private static string? DockerEndpointId(JsonElement endpoint) =>
        endpoint.TryGetProperty("status", out var status) && status.TryGetProperty("external-identifiers", out var ids)
        && ids.TryGetProperty("docker-endpoint-id", out var id) && id.GetString() is { Length: > 0 } text ? text : null;

    private static List<string> LabelStrings(JsonElement status)
    {
        var labels = new List<string>();
        if (status.TryGetProperty("labels", out var model))
        {
            Collect(model, labels);
        }

        return labels;
    }

    // The agent's label model nests lists (realized.user, security-relevant, derived): every string counts.
    private static void Collect(JsonElement element, List<string> into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                into.Add(element.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, into);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, into);
                }

                break;
        }
    }
}
