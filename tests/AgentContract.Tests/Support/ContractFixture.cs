using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentContract.Tests.Support;

/// <summary>
/// A contract fixture: one agent for the fixture, and per test a stack of clean-ups (endpoints, allocations, veths)
/// that runs even when the test fails, so the shared real agent is left as it was found.
/// </summary>
internal abstract class ContractFixture(AgentKind kind)
{
    /// <summary>The id the plugin PUTs to: the agent chooses the endpoint's number.</summary>
    protected const string CreatePath = "cilium-local:0";

    private readonly Stack<Func<Task>> _cleanups = new();

    protected AgentTarget Agent { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAgentAsync() => Agent = await AgentTarget.StartAsync(kind);

    [OneTimeTearDown]
    public async Task StopAgentAsync()
    {
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }
    }

    [TearDown]
    public async Task CleanUpAsync()
    {
        List<Exception> failures = [];
        while (_cleanups.TryPop(out var cleanup))
        {
            try
            {
                await cleanup();
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
            {
                failures.Add(ex);
            }
        }

        Assert.That(failures, Is.Empty, "clean-up failed");
    }

    protected void Defer(Func<Task> cleanup) => _cleanups.Push(cleanup);

    /// <summary>A fresh IPv4 address from the agent, with its expiration UUID; released again after the test.</summary>
    protected async Task<(string Ip, string Uuid)> AllocateWithExpirationAsync()
    {
        var answer = await Agent.AllocateNextAsync("family=ipv4&owner=agent-contract", expiration: true);
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
        var ip = answer.Json.StringAt("address", "ipv4")!;
        Defer(async () => await Agent.ReleaseAsync(ip));
        return (ip, answer.Json.StringAt("ipv4", "expiration-uuid")!);
    }

    /// <summary>An address the agent has free right now: allocated and given back.</summary>
    protected async Task<string> FreeAddressAsync()
    {
        var answer = await Agent.AllocateNextAsync("family=ipv4&owner=agent-contract");
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
        var ip = answer.Json.StringAt("address", "ipv4")!;
        Assert.That((await Agent.ReleaseAsync(ip)).Status, Is.EqualTo(HttpStatusCode.OK));
        return ip;
    }

    protected async Task<TestVeth> CreateVethAsync()
    {
        var veth = await TestVeth.CreateAsync();
        Defer(async () => await veth.DisposeAsync());
        return veth;
    }

    /// <summary>
    /// The endpoint PUT the plugin sends at CreateEndpoint, for one IPv4 address on <paramref name="veth"/>. No labels:
    /// the plugin PATCHes them later, and the 1.10 agent's sync build of a labelled PUT waits on the kvstore identity
    /// allocation without end (measured: the PUT never answers, a PUT without labels answers in about 5 s).
    /// </summary>
    protected static JsonObject EndpointRequest(TestVeth veth, string ip, string? uuid, string dockerEndpointId)
    {
        var addressing = new JsonObject { ["ipv4"] = ip };
        if (uuid is not null)
        {
            addressing["ipv4-expiration-uuid"] = uuid;
        }

        return new JsonObject
        {
            ["state"] = "waiting-for-identity",
            ["sync-build-endpoint"] = true,
            ["docker-endpoint-id"] = dockerEndpointId,
            ["docker-network-id"] = NewDockerId(),
            ["container-id"] = NewDockerId(),
            ["addressing"] = addressing,
            ["interface-name"] = veth.HostName,
            ["interface-index"] = veth.HostIndex,
            ["mac"] = veth.ContainerMac,
            ["host-mac"] = veth.HostMac,
        };
    }

    /// <summary>Creates an endpoint (deleted after the test with every other endpoint on its interface); answers its id.</summary>
    protected async Task<string> CreateEndpointAsync(JsonObject request)
    {
        DeleteEndpointsAfterTest(request["interface-name"]!.GetValue<string>());
        var put = await Agent.PutEndpointAsync(CreatePath, request.ToJsonString());
        Assert.That(put.Status, Is.EqualTo(HttpStatusCode.Created), put.ToString());
        var get = await Agent.GetEndpointAsync($"docker-endpoint:{request["docker-endpoint-id"]!.GetValue<string>()}");
        Assert.That(get.Status, Is.EqualTo(HttpStatusCode.OK), get.ToString());
        return get.Json.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whatever a test created on an interface, by whichever id, goes before the interface does.</summary>
    protected void DeleteEndpointsAfterTest(string interfaceName) => Defer(async () =>
    {
        foreach (var id in await EndpointIdsOnAsync(interfaceName))
        {
            await Agent.DeleteEndpointAsync(id);
        }
    });

    protected async Task<IReadOnlyList<string>> EndpointIdsOnAsync(string interfaceName)
    {
        var list = await Agent.GetAsync("/v1/endpoint");
        Assert.That(list.Status, Is.EqualTo(HttpStatusCode.OK), list.ToString());
        return [.. list.Json.EnumerateArray()
            .Where(e => e.StringAt("status", "networking", "interface-name") == interfaceName)
            .Select(e => e.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>The labeller's PATCH: the container's labels become the endpoint's identity labels.</summary>
    protected async Task<AgentAnswer> PatchLabelsAsync(string handle, params string[] labels) =>
        await Agent.PatchEndpointAsync(handle, new JsonObject
        {
            ["state"] = "waiting-for-identity",
            ["labels"] = new JsonArray([.. labels.Select(l => JsonValue.Create(l))]),
        }.ToJsonString());

    protected static string NewDockerId() => Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");

    protected static IReadOnlyList<string> IdentityLabels(JsonElement endpoint) =>
        endpoint.GetProperty("status").GetProperty("identity").GetProperty("labels").EnumerateArray()
            .Select(l => l.GetString()!).ToList();

    protected static string[] Strings(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array ? [.. array.EnumerateArray().Select(e => e.GetString()!)] : [];
}
