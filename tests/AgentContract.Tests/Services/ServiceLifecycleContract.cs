using AgentContract.Tests.Support;

namespace AgentContract.Tests.Services;

/// <summary>
/// <c>PUT|GET|DELETE /v1/service/{id}</c> and <c>GET /v1/service</c> for what the plugin does with a published port.
/// The 1.10 agent takes the id from the body (the path's is ignored), answers GET without the protocol, and treats
/// TCP and UDP on one address and port as the same frontend.
/// </summary>
[TestFixtureSource(typeof(AgentTargets), nameof(AgentTargets.All))]
internal sealed class ServiceLifecycleContract(AgentKind kind) : ContractFixture(kind)
{
    [Test]
    public async Task Put_New_Is201WithoutBody_Again_Is200()
    {
        var (id, frontend) = NewService();
        var spec = ServiceCalls.Spec(id, frontend, backends: ("10.11.0.5", 80)).ToJsonString();

        var created = await PutAndDeleteLaterAsync(id, spec);
        var updated = await Agent.PutServiceAsync(id, spec);

        Assert.That((created.Code, created.Body), Is.EqualTo((201, "")), created.ToString());
        Assert.That((updated.Code, updated.Body), Is.EqualTo((200, "")), updated.ToString());
    }

    [Test]
    public async Task Get_AnswersSpecAndRealizedSpec()
    {
        var (id, frontend) = NewService();
        await PutAndDeleteLaterAsync(id, ServiceCalls.Spec(id, frontend, protocol: "udp", backends: ("10.11.0.5", 80)).ToJsonString());

        var answer = await Agent.GetServiceAsync(id);

        var spec = $$"""{"backend-addresses":[{"ip":"10.11.0.5","port":80}],"flags":{"trafficPolicy":"Cluster","type":"HostPort"},"frontend-address":{"ip":"{{frontend}}","port":8080,"scope":"external"},"id":{{id}}}""";
        Assert.That(answer.Code, Is.EqualTo(200), answer.ToString());
        Assert.That(answer.ContentType, Is.EqualTo("application/json"));
        Assert.That(answer.Body, Is.EqualTo("{\"spec\":" + spec + ",\"status\":{\"realized\":" + spec + "}}"));
    }

    [Test]
    public async Task Put_Update_ReplacesBackendsAndType()
    {
        var (id, frontend) = NewService();
        await PutAndDeleteLaterAsync(id, ServiceCalls.Spec(id, frontend, backends: ("10.11.0.5", 80)).ToJsonString());

        var update = await Agent.PutServiceAsync(id, ServiceCalls.Spec(id, frontend, type: "NodePort", backends: ("10.11.0.6", 81)).ToJsonString());
        var answer = await Agent.GetServiceAsync(id);

        Assert.That(update.Code, Is.EqualTo(200), update.ToString());
        Assert.That(answer.Json.GetProperty("spec").GetProperty("backend-addresses").GetRawText(), Is.EqualTo("""[{"ip":"10.11.0.6","port":81}]"""));
        Assert.That(answer.Json.StringAt("spec", "flags", "type"), Is.EqualTo("NodePort"));
    }

    [Test]
    public async Task List_HoldsTheService()
    {
        var (id, frontend) = NewService();
        await PutAndDeleteLaterAsync(id, ServiceCalls.Spec(id, frontend, backends: ("10.11.0.5", 80)).ToJsonString());

        var list = await Agent.GetAsync("/v1/service");

        Assert.That(list.Code, Is.EqualTo(200), list.ToString());
        Assert.That(list.Json.EnumerateArray().Select(s => s.GetProperty("spec").GetProperty("id").GetInt64()), Does.Contain((long)id));
    }

    [Test]
    public async Task Delete_Is200_ThenGetAndDeleteAre404WithoutBody()
    {
        var (id, frontend) = NewService();
        await PutAndDeleteLaterAsync(id, ServiceCalls.Spec(id, frontend).ToJsonString());

        var deleted = await Agent.DeleteServiceAsync(id);
        var get = await Agent.GetServiceAsync(id);
        var again = await Agent.DeleteServiceAsync(id);

        Assert.That(new[] { (deleted.Code, deleted.Body), (get.Code, get.Body), (again.Code, again.Body) },
            Is.EqualTo(new[] { (200, ""), (404, ""), (404, "") }));
    }

    [Test]
    public async Task Put_PathIdIgnored_BodyIdCounts()
    {
        var (id, frontend) = NewService();
        var (otherId, _) = NewService();

        var answer = await PutAndDeleteLaterAsync(id, ServiceCalls.Spec(id, frontend).ToJsonString(), pathId: otherId);

        Assert.That(answer.Code, Is.EqualTo(201), answer.ToString());
        Assert.That((await Agent.GetServiceAsync(id)).Code, Is.EqualTo(200));
        Assert.That((await Agent.GetServiceAsync(otherId)).Code, Is.EqualTo(404));
    }

    [TestCase("udp")]
    [TestCase("tcp")]
    public async Task Put_FrontendTakenByOtherId_Is460_WhateverTheProtocol(string protocol)
    {
        var (id, frontend) = NewService();
        var (otherId, _) = NewService();
        await PutAndDeleteLaterAsync(id, ServiceCalls.Spec(id, frontend).ToJsonString());

        var answer = await PutAndDeleteLaterAsync(otherId, ServiceCalls.Spec(otherId, frontend, protocol: protocol).ToJsonString());

        answer.AssertError(460, $"the service provided is already registered with ID {id}, please use that ID instead of {otherId}");
    }

    [Test]
    public async Task Put_IdTakenByOtherFrontend_Is500()
    {
        var (id, frontend) = NewService();
        var (_, otherFrontend) = NewService();
        await PutAndDeleteLaterAsync(id, ServiceCalls.Spec(id, frontend).ToJsonString());

        var answer = await Agent.PutServiceAsync(id, ServiceCalls.Spec(id, otherFrontend, port: 81).ToJsonString());

        answer.AssertError(500, $"Unable to allocate service ID {id} for {{{{{otherFrontend} {{TCP 81}} 0}} {id}}}: Service ID {id} is already registered to \"{frontend}:8080\"");
    }

    [TestCase("0.0.0.0", "HostPort")]
    [TestCase("127.0.0.1", "HostPort")]
    [TestCase("0.0.0.0", "NodePort")]
    [TestCase("127.0.0.1", "NodePort")]
    public async Task Put_HostPortTypes_OnAnyOrLoopback_AreAccepted(string frontend, string type)
    {
        var (id, _) = NewService();

        var answer = await PutAndDeleteLaterAsync(id, ServiceCalls.Spec(id, frontend, port: 20000 + (id % 10000), type: type, backends: ("10.11.0.5", 80)).ToJsonString());

        Assert.That(answer.Code, Is.EqualTo(201), answer.ToString());
    }

    [Test]
    public async Task Put_Ipv6Frontend_WithIpv6Disabled_Is500()
    {
        var (id, _) = NewService();

        var answer = await PutAndDeleteLaterAsync(id, ServiceCalls.Spec(id, "::", port: 8024).ToJsonString());

        answer.AssertError(500, "Unable to upsert service [::]:8024 as IPv6 is disabled");
    }

    /// <summary>PUTs and deletes the service after the test, by id, whatever the PUT answered.</summary>
    private async Task<AgentAnswer> PutAndDeleteLaterAsync(long id, string json, long? pathId = null)
    {
        Defer(async () => await Agent.DeleteServiceAsync(id));
        return await Agent.PutServiceAsync(pathId ?? id, json);
    }

    private static (int Id, string Frontend) NewService() => ServiceCalls.NewService();
}
