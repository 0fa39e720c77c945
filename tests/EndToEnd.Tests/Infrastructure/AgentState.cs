using System.Text.Json;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>Reads what the agent simulator holds: the leak checks compare it with what Docker holds.</summary>
internal static class AgentState
{
    /// <summary>Every address the agent's IPAM has handed out and not had released.</summary>
    public static IReadOnlySet<string> AllocatedAddresses() => Addresses(static _ => true);

    /// <summary>
    /// Allocated addresses the agent will not take back by itself: every one but those still under an expiration
    /// timer. An allocation whose answer was lost (the agent restarted mid-request) is such a timed one; the agent
    /// frees it when the timer runs out, which is why the plugin allocates with expiration. The leak checks use this.
    /// </summary>
    public static IReadOnlySet<string> AddressesKeptForever() =>
        Addresses(static allocation => !allocation.TryGetProperty("expiresAt", out var expiresAt) || expiresAt.ValueKind == JsonValueKind.Null);

    private static HashSet<string> Addresses(Func<JsonElement, bool> include)
    {
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        foreach (var allocation in E2EEnvironment.Agent.State().GetProperty("addresses").EnumerateArray())
        {
            if (include(allocation))
            {
                addresses.Add(allocation.GetProperty("ip").GetString()!);
            }
        }

        return addresses;
    }

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

    public static int EndpointCount() => E2EEnvironment.Agent.Endpoints().GetArrayLength();

    /// <summary>Labels of the agent endpoint whose docker-endpoint-id is <paramref name="dockerEndpointId"/>.</summary>
    public static IReadOnlyList<string> Labels(string dockerEndpointId)
    {
        foreach (var endpoint in E2EEnvironment.Agent.Endpoints().EnumerateArray())
        {
            var status = endpoint.GetProperty("status");
            if (status.TryGetProperty("external-identifiers", out var ids) && ids.TryGetProperty("docker-endpoint-id", out var id)
                && id.GetString() == dockerEndpointId)
            {
                return LabelStrings(status);
            }
        }

        return [];
    }

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
