using System.Globalization;
using System.Text.Json.Nodes;

namespace AgentContract.Tests.Support;

/// <summary><c>/v1/service</c> calls and the bodies the tests send.</summary>
internal static class ServiceCalls
{
    // Away from ids and addresses anything else on the shared real agent uses; per process, so an aborted run's
    // leftovers do not collide with the next run's services.
    private static int _nextId = 31000 + (Environment.ProcessId % 500 * 40);

    /// <summary>A fresh service id and a frontend address nobody else uses.</summary>
    public static (int Id, string Frontend) NewService()
    {
        var id = Interlocked.Increment(ref _nextId);
        return (id, string.Create(CultureInfo.InvariantCulture, $"10.222.{id / 256 % 256}.{id % 256}"));
    }

    public static Task<AgentAnswer> PutServiceAsync(this AgentTarget agent, long pathId, string json) =>
        agent.SendAsync(HttpMethod.Put, string.Create(CultureInfo.InvariantCulture, $"/v1/service/{pathId}"), json);

    public static Task<AgentAnswer> GetServiceAsync(this AgentTarget agent, long id) =>
        agent.GetAsync(string.Create(CultureInfo.InvariantCulture, $"/v1/service/{id}"));

    public static Task<AgentAnswer> DeleteServiceAsync(this AgentTarget agent, long id) =>
        agent.SendAsync(HttpMethod.Delete, string.Create(CultureInfo.InvariantCulture, $"/v1/service/{id}"));

    /// <summary>The spec the plugin sends for a published port; <paramref name="type"/> null leaves the flags out.</summary>
    public static JsonObject Spec(
        long id, string frontend, int port = 8080, string protocol = "tcp", string? type = "HostPort", string scope = "external",
        params (string Ip, int Port)[] backends)
    {
        var spec = new JsonObject
        {
            ["id"] = id,
            ["frontend-address"] = new JsonObject { ["ip"] = frontend, ["port"] = port, ["protocol"] = protocol, ["scope"] = scope },
            ["backend-addresses"] = new JsonArray([.. backends.Select(b => (JsonNode)new JsonObject { ["ip"] = b.Ip, ["port"] = b.Port })]),
        };
        if (type is not null)
        {
            spec["flags"] = new JsonObject { ["type"] = type };
        }

        return spec;
    }
}
