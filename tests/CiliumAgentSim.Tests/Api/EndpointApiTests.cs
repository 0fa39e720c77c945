using System.Text.Json.Nodes;
using CiliumAgentSim.State;
using CiliumAgentSim.Tests.Support;

namespace CiliumAgentSim.Tests.Api;

[CancelAfter(30_000)]
internal sealed class EndpointApiTests
{
    private const string DockerPut = """
        {"addressing":{"ipv4":"10.11.0.5/32","ipv6":"f00d::a0b:0:0:5/128"},"docker-endpoint-id":"3f1c","docker-network-id":"9ab2",
         "host-mac":"8a:1e:00:00:00:01","interface-index":42,"interface-name":"lxc5e0d3b7a91c4","mac":"d2:7f:00:00:00:02",
         "state":"waiting-for-identity","sync-build-endpoint":true}
        """;

    private static readonly Func<CiliumAgentSim.Hosting.SimOptions, CiliumAgentSim.Hosting.SimOptions> DualStack =
        o => o with { IPv6Range = Cidr.TryParse("f00d::a0b:0:0:0/96", out var v6) ? v6 : null };

    /// <summary>Later agents answer a PUT with the endpoint; these tests read the id from that answer.</summary>
    private static readonly Func<CiliumAgentSim.Hosting.SimOptions, CiliumAgentSim.Hosting.SimOptions> AnswersPut =
        o => o with { AgentVersion = new Version(1, 14) };

    [Test]
    public async Task Put_DockerRequest_Answers201WithEndpointModel()
    {
        await using var sim = await SimHarness.StartAsync(o => AnswersPut(DualStack(o)));

        var (status, body) = await sim.PutEndpointAsync(DockerPut);

        var json = JsonNode.Parse(body)!;
        var endpointStatus = json["status"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(201));
            Assert.That(json["id"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(endpointStatus["state"]!.GetValue<string>(), Is.EqualTo("ready"));
            Assert.That(endpointStatus["identity"]!["id"]!.GetValue<long>(), Is.EqualTo(5));
            Assert.That(endpointStatus["identity"]!["labels"]!.ToJsonString(), Is.EqualTo("""["reserved:init"]"""));
            Assert.That(endpointStatus["labels"]!["security-relevant"]!.ToJsonString(), Is.EqualTo("""["reserved:init"]"""));
            Assert.That(endpointStatus["external-identifiers"]!.ToJsonString(), Is.EqualTo("""{"docker-endpoint-id":"3f1c","docker-network-id":"9ab2"}"""));
            Assert.That(endpointStatus["networking"]!["addressing"]!.ToJsonString(),
                Is.EqualTo("""[{"ipv4":"10.11.0.5","ipv4-pool-name":"default","ipv6":"f00d::a0b:0:0:5","ipv6-pool-name":"default"}]"""));
            Assert.That(endpointStatus["networking"]!["interface-name"]!.GetValue<string>(), Is.EqualTo("lxc5e0d3b7a91c4"));
            Assert.That(endpointStatus["networking"]!["interface-index"]!.GetValue<long>(), Is.EqualTo(42));
            Assert.That(endpointStatus["networking"]!["host-mac"]!.GetValue<string>(), Is.EqualTo("8a:1e:00:00:00:01"));
            Assert.That(endpointStatus["networking"]!["mac"]!.GetValue<string>(), Is.EqualTo("d2:7f:00:00:00:02"));
        }
    }

    [Test]
    public async Task Put_SeveralEndpoints_AgentAllocatesUniqueIdsFromOne()
    {
        await using var sim = await SimHarness.StartAsync(AnswersPut);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var (_, body) = await sim.PutEndpointAsync($$"""{"state":"waiting-for-identity","docker-endpoint-id":"e{{i}}"}""");
            ids.Add(JsonNode.Parse(body)!["id"]!.GetValue<long>());
        }

        await sim.SendAsync(HttpMethod.Delete, "/v1/endpoint/2");
        var (_, next) = await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"e9"}""");

        Assert.That(ids, Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(JsonNode.Parse(next)!["id"]!.GetValue<long>(), Is.EqualTo(4));
    }

    [Test]
    public async Task Put_ManyInParallel_AllocatesDistinctIds()
    {
        await using var sim = await SimHarness.StartAsync(AnswersPut);

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            sim.PutEndpointAsync($$"""{"state":"waiting-for-identity","docker-endpoint-id":"p{{i}}"}""")));

        var ids = answers.Select(a => JsonNode.Parse(a.Body)!["id"]!.GetValue<long>()).ToList();
        Assert.That(ids, Is.Unique.And.Count.EqualTo(30));
    }

    [Test]
    public async Task Put_AddressOfAnotherEndpoint_Answers400InUse()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","addressing":{"ipv4":"10.11.0.7"}}""");

        var result = await sim.PutEndpointAsync("""{"state":"waiting-for-identity","addressing":{"ipv4":"10.11.0.7/32"}}""");

        Assert.That(result, Is.EqualTo((400, "\"IP ipv4:10.11.0.7 is already in use\"")));
    }

    [Test]
    public async Task Put_BodyCarriesId_Answers500IdAlreadySet()
    {
        await using var sim = await SimHarness.StartAsync();

        var result = await sim.PutEndpointAsync("""{"state":"waiting-for-identity","id":48705}""");

        Assert.That(result, Is.EqualTo((500, "\"unable to insert endpoint into manager: Endpoint ID is already set to 48705\"")));
    }

    [TestCase("cilium-local:1")]
    [TestCase("1")]
    [TestCase("docker-endpoint:3f1c")]
    [TestCase("container-id:c0ffee")]
    [TestCase("container-name:web")]
    [TestCase("cni-attachment-id:c0ffee:eth0")]
    [TestCase("pod-name:default%2Fpod1")]
    [TestCase("cep-name:default%2Fpod1")]
    [TestCase("ipv4:10.11.0.5")]
    [TestCase("ipv6:f00d::a0b:0:0:5")]
    public async Task Get_EachIdPrefix_FindsEndpoint(string id)
    {
        await using var sim = await SimHarness.StartAsync(DualStack);
        await sim.PutEndpointAsync("""
            {"state":"waiting-for-identity","docker-endpoint-id":"3f1c","container-id":"c0ffee","container-name":"web",
             "container-interface-name":"eth0","k8s-namespace":"default","k8s-pod-name":"pod1",
             "addressing":{"ipv4":"10.11.0.5","ipv6":"f00d::a0b:0:0:5"}}
            """);

        var (status, body) = await sim.SendAsync(HttpMethod.Get, "/v1/endpoint/" + id);

        Assert.That(status, Is.EqualTo(200));
        Assert.That(JsonNode.Parse(body)!["id"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [TestCase("docker-endpoint:nope")]
    [TestCase("cilium-local:77")]
    [TestCase("ipv4:10.11.0.99")]
    public async Task Get_UnknownEndpoint_Answers404WithEmptyBody(string id)
    {
        await using var sim = await SimHarness.StartAsync();

        var result = await sim.SendAsync(HttpMethod.Get, "/v1/endpoint/" + id);

        Assert.That(result, Is.EqualTo((404, "")));
    }

    [TestCase("cilium-global:1")]
    [TestCase("colour:blue")]
    [TestCase("cilium-local:70000")]
    [TestCase("abc")]
    [TestCase("docker-endpoint:")]
    public async Task EveryVerb_BadIdFormat_Answers400JsonString(string id)
    {
        await using var sim = await SimHarness.StartAsync();
        const string body = """{"state":"ready"}""";

        foreach (var (method, json) in new[] { (HttpMethod.Get, (string?)null), (HttpMethod.Put, body), (HttpMethod.Patch, body), (HttpMethod.Delete, null) })
        {
            var (status, answer) = await sim.SendAsync(method, "/v1/endpoint/" + id, json);
            Assert.That(status, Is.EqualTo(400), method.Method);
            Assert.That(JsonNode.Parse(answer)!.GetValue<string>(), Is.Not.Empty, method.Method);
        }
    }

    [Test]
    public async Task List_TwoEndpoints_AnswersBothInIdOrder()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"a"}""");
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"b"}""");

        var (status, body) = await sim.SendAsync(HttpMethod.Get, "/v1/endpoint");

        var ids = JsonNode.Parse(body)!.AsArray().Select(e => e!["status"]!["external-identifiers"]!["docker-endpoint-id"]!.GetValue<string>());
        Assert.That((status, ids.ToArray()), Is.EqualTo((200, new[] { "a", "b" })));
    }

    [Test]
    public async Task Patch_Labels_StoredAsGivenAndIdentityFollowsLabelSet()
    {
        await using var sim = await SimHarness.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await sim.PutEndpointAsync($$"""{"state":"waiting-for-identity","docker-endpoint-id":"e{{i}}"}""");
        }

        const string web = """{"state":"waiting-for-identity","container-id":"cid","container-name":"app1","labels":["container:app=web","container:tier=front"]}""";
        var patched = await sim.SendAsync(HttpMethod.Patch, "/v1/endpoint/docker-endpoint:e0", web);
        await sim.SendAsync(HttpMethod.Patch, "/v1/endpoint/docker-endpoint:e1",
            """{"state":"waiting-for-identity","labels":["container:tier=front","container:app=web"]}""");
        await sim.SendAsync(HttpMethod.Patch, "/v1/endpoint/docker-endpoint:e2", """{"state":"waiting-for-identity","labels":["container:app=db"]}""");

        var e0 = JsonNode.Parse((await sim.SendAsync(HttpMethod.Get, "/v1/endpoint/docker-endpoint:e0")).Body)!["status"]!;
        var e1 = JsonNode.Parse((await sim.SendAsync(HttpMethod.Get, "/v1/endpoint/docker-endpoint:e1")).Body)!["status"]!;
        var e2 = JsonNode.Parse((await sim.SendAsync(HttpMethod.Get, "/v1/endpoint/docker-endpoint:e2")).Body)!["status"]!;
        var dump = await sim.StateAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(patched, Is.EqualTo((200, "")));
            Assert.That(e0["identity"]!["id"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(256));
            Assert.That(e1["identity"]!["id"]!.GetValue<long>(), Is.EqualTo(e0["identity"]!["id"]!.GetValue<long>()));
            Assert.That(e2["identity"]!["id"]!.GetValue<long>(), Is.Not.EqualTo(e0["identity"]!["id"]!.GetValue<long>()));
            Assert.That(e0["identity"]!["labels"]!.ToJsonString(), Is.EqualTo("""["container:app=web","container:tier=front"]"""));
            Assert.That(e0["external-identifiers"]!["container-id"]!.GetValue<string>(), Is.EqualTo("cid"));
            Assert.That(e0["external-identifiers"]!["container-name"]!.GetValue<string>(), Is.EqualTo("app1"));
            Assert.That(dump["endpoints"]![1]!["labels"]!.ToJsonString(), Is.EqualTo("""["container:tier=front","container:app=web"]"""));
        }
    }

    [Test]
    public async Task Patch_WithoutLabels_KeepsLabels()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"e","labels":["container:a=b"]}""");

        await sim.SendAsync(HttpMethod.Patch, "/v1/endpoint/docker-endpoint:e", """{"state":"waiting-for-identity","container-name":"n"}""");

        var status = JsonNode.Parse((await sim.SendAsync(HttpMethod.Get, "/v1/endpoint/docker-endpoint:e")).Body)!["status"]!;
        Assert.That(status["identity"]!["labels"]!.ToJsonString(), Is.EqualTo("""["container:a=b"]"""));
    }

    [Test]
    public async Task Patch_UnknownEndpoint_Answers404WithEmptyBody()
    {
        await using var sim = await SimHarness.StartAsync();

        var result = await sim.SendAsync(HttpMethod.Patch, "/v1/endpoint/docker-endpoint:none", """{"state":"waiting-for-identity"}""");

        Assert.That(result, Is.EqualTo((404, "")));
    }

    [Test]
    public async Task Delete_Existing_Answers200AndReleasesItsAddressesLikeTheRealAgent()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync();
        await sim.AllocateAsync();
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"e","addressing":{"ipv4":"10.11.0.2/32"}}""");

        var deleted = await sim.SendAsync(HttpMethod.Delete, "/v1/endpoint/docker-endpoint:e");
        var again = await sim.SendAsync(HttpMethod.Get, "/v1/endpoint/docker-endpoint:e");
        var state = await sim.StateAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(deleted, Is.EqualTo((200, "")));
            Assert.That(again.Status, Is.EqualTo(404));
            Assert.That(state["addresses"]!.AsArray().Select(a => a!["ip"]!.GetValue<string>()), Is.EqualTo(new[] { "10.11.0.3" }),
                "the endpoint's address goes with it; an address it did not hold stays");
        }
    }

}
