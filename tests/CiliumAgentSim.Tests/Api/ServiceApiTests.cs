using System.Text.Json.Nodes;
using CiliumAgentSim.Tests.Support;

namespace CiliumAgentSim.Tests.Api;

/// <summary>The service API as measured on the 1.10 agent (see the contract suite for the same checks against it).</summary>
[CancelAfter(30_000)]
internal sealed class ServiceApiTests
{
    private const string HostPort = """
        {"id":7,"frontend-address":{"ip":"0.0.0.0","port":8080,"protocol":"tcp","scope":"external"},
         "backend-addresses":[{"ip":"10.11.0.5","port":80}],"flags":{"type":"HostPort"}}
        """;

    [Test]
    public async Task Put_New_Is201WithoutBody_SameAgain_Is200()
    {
        await using var sim = await SimHarness.StartAsync();

        var created = await sim.SendAsync(HttpMethod.Put, "/v1/service/7", HostPort);
        var updated = await sim.SendAsync(HttpMethod.Put, "/v1/service/7", HostPort);

        Assert.That(created, Is.EqualTo((201, "")));
        Assert.That(updated, Is.EqualTo((200, "")));
    }

    [Test]
    public async Task Get_AnswersSpecTwice_WithoutProtocol_AndDefaultsFilledIn()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.SendAsync(HttpMethod.Put, "/v1/service/7", HostPort);

        var (status, body) = await sim.SendAsync(HttpMethod.Get, "/v1/service/7");

        const string Spec = """{"backend-addresses":[{"ip":"10.11.0.5","port":80}],"flags":{"trafficPolicy":"Cluster","type":"HostPort"},"frontend-address":{"ip":"0.0.0.0","port":8080,"scope":"external"},"id":7}""";
        Assert.That(status, Is.EqualTo(200));
        Assert.That(body, Is.EqualTo("{\"spec\":" + Spec + ",\"status\":{\"realized\":" + Spec + "}}"));
    }

    [Test]
    public async Task List_IsArray_EmptyAtFirst()
    {
        await using var sim = await SimHarness.StartAsync();
        var empty = await sim.SendAsync(HttpMethod.Get, "/v1/service");
        await sim.SendAsync(HttpMethod.Put, "/v1/service/7", HostPort);

        var (_, body) = await sim.SendAsync(HttpMethod.Get, "/v1/service");

        Assert.That(empty, Is.EqualTo((200, "[]")));
        Assert.That(JsonNode.Parse(body)!.AsArray().Select(s => s!["spec"]!["id"]!.GetValue<long>()), Is.EqualTo(new[] { 7L }));
    }

    [Test]
    public async Task Delete_Is200_ThenGetAndDeleteAre404()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.SendAsync(HttpMethod.Put, "/v1/service/7", HostPort);

        var deleted = await sim.SendAsync(HttpMethod.Delete, "/v1/service/7");
        var get = await sim.SendAsync(HttpMethod.Get, "/v1/service/7");
        var again = await sim.SendAsync(HttpMethod.Delete, "/v1/service/7");

        Assert.That(new[] { deleted, get, again }, Is.EqualTo(new[] { (200, ""), (404, ""), (404, "") }));
    }

    [TestCase("udp")]
    [TestCase("tcp")]
    [TestCase("")]
    public async Task Put_SameAddressAndPortOtherId_Is460_WhateverTheProtocol(string protocol)
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.SendAsync(HttpMethod.Put, "/v1/service/7", HostPort);

        var (status, body) = await sim.SendAsync(HttpMethod.Put, "/v1/service/8",
            """{"id":8,"frontend-address":{"ip":"0.0.0.0","port":8080,"protocol":"PROTO","scope":"external"},"backend-addresses":[{"ip":"10.11.0.9","port":81}],"flags":{}}"""
                .Replace("PROTO", protocol, StringComparison.Ordinal));
        var (_, existing) = await sim.SendAsync(HttpMethod.Get, "/v1/service/7");

        Assert.That(status, Is.EqualTo(460));
        Assert.That(body, Is.EqualTo("\"the service provided is already registered with ID 7, please use that ID instead of 8\""));
        Assert.That(existing, Does.Contain("\"10.11.0.9\"").And.Contain("ClusterIP"), "the agent has updated service 7 before refusing");
    }

    [Test]
    public async Task Put_IdHeldByOtherFrontend_Is500()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.SendAsync(HttpMethod.Put, "/v1/service/7", HostPort);

        var (status, body) = await sim.SendAsync(HttpMethod.Put, "/v1/service/7",
            """{"id":7,"frontend-address":{"ip":"127.0.0.1","port":81,"scope":"external"},"flags":{}}""");

        Assert.That(status, Is.EqualTo(500));
        Assert.That(body, Is.EqualTo("\"Unable to allocate service ID 7 for {{127.0.0.1 {NONE 81} 0} 7}: Service ID 7 is already registered to \\\"0.0.0.0:8080\\\"\""));
    }

    [Test]
    public async Task Put_BodyIdCounts_PathIdIsIgnored()
    {
        await using var sim = await SimHarness.StartAsync();

        await sim.SendAsync(HttpMethod.Put, "/v1/service/5", HostPort);

        Assert.That((await sim.SendAsync(HttpMethod.Get, "/v1/service/7")).Status, Is.EqualTo(200));
        Assert.That((await sim.SendAsync(HttpMethod.Get, "/v1/service/5")).Status, Is.EqualTo(404));
    }

    [TestCase("""{"id":0,"frontend-address":{"ip":"1.2.3.4","scope":"external"},"flags":{}}""", 500, "\"invalid service ID 0\"")]
    [TestCase("""{"frontend-address":{"ip":"1.2.3.4","scope":"external"},"flags":{}}""", 500, "\"invalid service ID 0\"")]
    [TestCase("""{"id":3,"frontend-address":{"port":80,"scope":"external"},"flags":{}}""", 460, "\"missing IP address\"")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"nope","scope":"external"},"flags":{}}""", 460, "\"invalid IP address \\\"nope\\\"\"")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","protocol":"any","scope":"external"},"flags":{}}""", 460, "\"unknown L4 protocol\"")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4"},"flags":{}}""", 460, "\"invalid scope \\\"\\\"\"")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","scope":"external"},"backend-addresses":[{"ip":"x"}],"flags":{}}""", 461, "\"invalid IP address \\\"x\\\"\"")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"::","port":80,"scope":"external"},"flags":{}}""", 500, "\"Unable to upsert service [::]:80 as IPv6 is disabled\"")]
    [TestCase("""{"id":3,"flags":{}}""", 422, """{"code":602,"message":"frontend-address in body is required"}""")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","protocol":"TCP","scope":"external"},"flags":{}}""", 422, """{"code":606,"message":"protocol in body should be one of [tcp udp any]"}""")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","scope":"x"},"flags":{}}""", 422, """{"code":606,"message":"scope in body should be one of [external internal]"}""")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","scope":"external"},"flags":{"type":"Bogus"}}""", 422, """{"code":606,"message":"flags.type in body should be one of [ClusterIP NodePort ExternalIPs HostPort LoadBalancer LocalRedirect]"}""")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","scope":"external"},"flags":{"trafficPolicy":"x"}}""", 422, """{"code":606,"message":"flags.trafficPolicy in body should be one of [Cluster Local]"}""")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","scope":"x"},"backend-addresses":[{"port":1}],"flags":{}}""", 422, """{"code":602,"message":"ip in body is required"}""")]
    [TestCase("", 422, """{"code":602,"message":"config in body is required"}""")]
    [TestCase("null", 422, """{"code":602,"message":"frontend-address in body is required"}""")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","port":70000,"scope":"external"},"flags":{}}""", 400, """{"code":400,"message":"parsing config body from \"\" failed, because json: cannot unmarshal number 70000 into Go struct field FrontendAddress.frontend-address.port of type uint16"}""")]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","scope":"external"}}""", 500, ServiceApiTestsText.Panic)]
    [TestCase("""{"id":3,"frontend-address":{"ip":"1.2.3.4","scope":"external"},"backend-addresses":[null],"flags":{}}""", 500, ServiceApiTestsText.Panic)]
    public async Task Put_BadInput_AnswersLikeTheAgent(string json, int status, string body)
    {
        await using var sim = await SimHarness.StartAsync();

        var answer = await sim.SendAsync(HttpMethod.Put, "/v1/service/3", json);
        var list = await sim.SendAsync(HttpMethod.Get, "/v1/service");

        Assert.That(answer, Is.EqualTo((status, body)));
        Assert.That(list.Body, Is.EqualTo("[]"), "nothing is registered");
    }

    [Test]
    public async Task Put_BadJson_Is400WithParsePrefix()
    {
        await using var sim = await SimHarness.StartAsync();

        var (status, body) = await sim.SendAsync(HttpMethod.Put, "/v1/service/3", "{\"id\":");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(body, Does.StartWith("""{"code":400,"message":"parsing config body from \"\" failed, because """));
    }

    [TestCase("GET")]
    [TestCase("DELETE")]
    [TestCase("PUT")]
    public async Task NonNumericPathId_Is422(string method)
    {
        await using var sim = await SimHarness.StartAsync();

        var answer = await sim.SendAsync(new HttpMethod(method), "/v1/service/abc", method == "PUT" ? HostPort : null);

        Assert.That(answer, Is.EqualTo((422, """{"code":601,"message":"id in path must be of type int64: \"abc\""}""")));
    }

    [Test]
    public async Task Put_Ipv6BackendOfIpv4Service_Is500_AndTheServiceStaysUndeletable()
    {
        await using var sim = await SimHarness.StartAsync();

        var put = await sim.SendAsync(HttpMethod.Put, "/v1/service/9",
            """{"id":9,"frontend-address":{"ip":"10.0.0.9","port":80,"scope":"external"},"backend-addresses":[{"ip":"f00d::1","port":80}],"flags":{}}""");
        var delete = await sim.SendAsync(HttpMethod.Delete, "/v1/service/9");
        var state = await sim.StateAsync();

        Assert.That(put, Is.EqualTo((500, "\"Unable to create backend (1, f00d::1, 80, false): Not an IPv4 address\"")));
        Assert.That(delete.Status, Is.EqualTo(500));
        Assert.That(delete.Body, Does.StartWith("\"Unable to delete service entry 10.0.0.9:20480: "));
        Assert.That(state["services"]![0]!["inDatapath"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task Get_BackendsInBackendIdOrder()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.SendAsync(HttpMethod.Put, "/v1/service/1", """{"id":1,"frontend-address":{"ip":"10.0.0.1","port":80,"scope":"external"},"backend-addresses":[{"ip":"10.11.0.2"}],"flags":{}}""");

        await sim.SendAsync(HttpMethod.Put, "/v1/service/2", """{"id":2,"frontend-address":{"ip":"10.0.0.2","port":80,"scope":"external"},"backend-addresses":[{"ip":"10.11.0.3"},{"ip":"10.11.0.2"}],"flags":{}}""");
        var (_, body) = await sim.SendAsync(HttpMethod.Get, "/v1/service/2");

        Assert.That(body, Does.Contain("""[{"ip":"10.11.0.2"},{"ip":"10.11.0.3"}]"""));
    }

    [Test]
    public async Task StateDump_ListsServices()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.SendAsync(HttpMethod.Put, "/v1/service/7", HostPort);

        var services = (await sim.StateAsync())["services"]!.AsArray();

        Assert.That(services.ToJsonString(), Is.EqualTo("""[{"id":7,"frontend":"0.0.0.0:8080","type":"HostPort","backends":["10.11.0.5:80"],"inDatapath":true}]"""));
    }
}

internal static class ServiceApiTestsText
{
    public const string Panic = "Internal error occurred, check Cilium logs for details.";
}
