using System.Text;
using System.Text.Json;

namespace AgentContract.Tests.Support;

/// <summary>Raw calls to the agent's REST API: what is sent is spelled out, what comes back is not interpreted.</summary>
internal static class AgentCalls
{
    public static async Task<AgentAnswer> SendAsync(this AgentTarget agent, HttpMethod method, string path, string? json = null, bool expiration = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (expiration)
        {
            request.Headers.Add("expiration", "true");
        }

        using var response = await agent.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new AgentAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body.Trim());
    }

    public static Task<AgentAnswer> GetAsync(this AgentTarget agent, string path) => agent.SendAsync(HttpMethod.Get, path);

    public static Task<AgentAnswer> AllocateNextAsync(this AgentTarget agent, string query, bool expiration = false) =>
        agent.SendAsync(HttpMethod.Post, $"/v1/ipam?{query}", expiration: expiration);

    public static Task<AgentAnswer> AllocateAsync(this AgentTarget agent, string ip, string owner = "contract") =>
        agent.SendAsync(HttpMethod.Post, $"/v1/ipam/{Uri.EscapeDataString(ip)}?owner={owner}{agent.PoolQuery("&")}");

    public static Task<AgentAnswer> ReleaseAsync(this AgentTarget agent, string ip) =>
        agent.SendAsync(HttpMethod.Delete, $"/v1/ipam/{Uri.EscapeDataString(ip)}{agent.PoolQuery("?")}");

    public static Task<AgentAnswer> PutEndpointAsync(this AgentTarget agent, string id, string json) =>
        agent.SendAsync(HttpMethod.Put, $"/v1/endpoint/{Uri.EscapeDataString(id)}", json);

    public static Task<AgentAnswer> PatchEndpointAsync(this AgentTarget agent, string id, string json) =>
        agent.SendAsync(HttpMethod.Patch, $"/v1/endpoint/{Uri.EscapeDataString(id)}", json);

    public static Task<AgentAnswer> DeleteEndpointAsync(this AgentTarget agent, string id) =>
        agent.SendAsync(HttpMethod.Delete, $"/v1/endpoint/{Uri.EscapeDataString(id)}");

    public static Task<AgentAnswer> GetEndpointAsync(this AgentTarget agent, string id) =>
        agent.GetAsync($"/v1/endpoint/{Uri.EscapeDataString(id)}");

    public static string? StringAt(this JsonElement element, params string[] path) =>
        TryWalk(element, path, out var found)
            ? found.ValueKind == JsonValueKind.String ? found.GetString() : found.GetRawText()
            : null;

    public static bool Has(this JsonElement element, params string[] path) => TryWalk(element, path, out _);

    private static bool TryWalk(JsonElement element, string[] path, out JsonElement found)
    {
        found = element;
        foreach (var name in path)
        {
            if (found.ValueKind != JsonValueKind.Object || !found.TryGetProperty(name, out found))
            {
                return false;
            }
        }

        return true;
    }
}
