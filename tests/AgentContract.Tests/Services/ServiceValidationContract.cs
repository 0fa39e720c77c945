using System.Text.Json.Nodes;
using AgentContract.Tests.Support;

namespace AgentContract.Tests.Services;

/// <summary>
/// Refused service PUTs: go-swagger's 422 (required fields, enums, which are case-sensitive: <c>TCP</c> is refused)
/// and 400 (undecodable body), then the handler's 460 (frontend), 461 (backend) and 500. Nothing is registered.
/// </summary>
[TestFixtureSource(typeof(AgentTargets), nameof(AgentTargets.All))]
internal sealed class ServiceValidationContract(AgentKind kind) : ContractFixture(kind)
{
    private const string Panic = "Internal error occurred, check Cilium logs for details.";

    [Test]
    public async Task IdZero_Is500()
    {
        var (_, frontend) = ServiceCalls.NewService();

        await AssertRefusedAsync(ServiceCalls.Spec(0, frontend), 500, "\"invalid service ID 0\"");
    }

    [Test]
    public async Task NoFrontend_Is422()
    {
        var (id, frontend) = ServiceCalls.NewService();
        var spec = ServiceCalls.Spec(id, frontend);
        spec.Remove("frontend-address");

        await AssertRefusedAsync(spec, 422, """{"code":602,"message":"frontend-address in body is required"}""");
    }

    [TestCase("ip", null, 460, "\"missing IP address\"")]
    [TestCase("ip", "nope", 460, "\"invalid IP address \\\"nope\\\"\"")]
    [TestCase("protocol", "any", 460, "\"unknown L4 protocol\"")]
    [TestCase("scope", null, 460, "\"invalid scope \\\"\\\"\"")]
    [TestCase("protocol", "TCP", 422, """{"code":606,"message":"protocol in body should be one of [tcp udp any]"}""")]
    [TestCase("protocol", "UDP", 422, """{"code":606,"message":"protocol in body should be one of [tcp udp any]"}""")]
    [TestCase("scope", "x", 422, """{"code":606,"message":"scope in body should be one of [external internal]"}""")]
    public async Task BadFrontend_IsRefused(string field, string? value, int status, string body)
    {
        var (id, frontend) = ServiceCalls.NewService();
        var spec = ServiceCalls.Spec(id, frontend);
        var address = spec["frontend-address"]!.AsObject();
        address.Remove(field);
        if (value is not null)
        {
            address[field] = value;
        }

        await AssertRefusedAsync(spec, status, body);
    }

    [Test]
    public async Task FrontendPortOutOfRange_Is400()
    {
        var (id, frontend) = ServiceCalls.NewService();

        await AssertRefusedAsync(ServiceCalls.Spec(id, frontend, port: 70000), 400,
            """{"code":400,"message":"parsing config body from \"\" failed, because json: cannot unmarshal number 70000 into Go struct field FrontendAddress.frontend-address.port of type uint16"}""");
    }

    [Test]
    public async Task BackendWithoutIp_Is422_BadBackendIp_Is461()
    {
        var (id, frontend) = ServiceCalls.NewService();
        var missing = ServiceCalls.Spec(id, frontend);
        missing["backend-addresses"] = new JsonArray(new JsonObject { ["port"] = 80 });
        var bad = ServiceCalls.Spec(id, frontend, backends: ("x", 80));

        await AssertRefusedAsync(missing, 422, """{"code":602,"message":"ip in body is required"}""");
        await AssertRefusedAsync(bad, 461, "\"invalid IP address \\\"x\\\"\"");
    }

    [TestCase("type", "Bogus", """{"code":606,"message":"flags.type in body should be one of [ClusterIP NodePort ExternalIPs HostPort LoadBalancer LocalRedirect]"}""")]
    [TestCase("trafficPolicy", "x", """{"code":606,"message":"flags.trafficPolicy in body should be one of [Cluster Local]"}""")]
    public async Task BadFlag_Is422(string field, string value, string body)
    {
        var (id, frontend) = ServiceCalls.NewService();
        var spec = ServiceCalls.Spec(id, frontend);
        spec["flags"]![field] = value;

        await AssertRefusedAsync(spec, 422, body);
    }

    [Test]
    public async Task NoFlags_IsTheHandlersPanicAnswer()
    {
        var (id, frontend) = ServiceCalls.NewService();

        var answer = await PutAsync(ServiceCalls.Spec(id, frontend, type: null).ToJsonString(), id);

        Assert.That((answer.Code, answer.ContentType, answer.Body), Is.EqualTo((500, "text/plain", Panic)));
    }

    [TestCase("", 422, """{"code":602,"message":"config in body is required"}""")]
    [TestCase("null", 422, """{"code":602,"message":"frontend-address in body is required"}""")]
    public async Task EmptyBody_IsRefused(string json, int status, string body)
    {
        var (id, _) = ServiceCalls.NewService();

        var answer = await PutAsync(json, id);

        Assert.That((answer.Code, answer.Body), Is.EqualTo((status, body)), answer.ToString());
    }

    [Test]
    public async Task UndecodableBody_Is400WithParsePrefix()
    {
        var (id, _) = ServiceCalls.NewService();

        var answer = await PutAsync("{\"id\":", id);

        Assert.That(answer.Code, Is.EqualTo(400), answer.ToString());
        Assert.That(answer.Body, Does.StartWith("""{"code":400,"message":"parsing config body from \"\" failed, because """));
    }

    [TestCase("GET")]
    [TestCase("DELETE")]
    public async Task NonNumericId_Is422(string method)
    {
        var answer = await Agent.SendAsync(new HttpMethod(method), "/v1/service/abc");

        Assert.That((answer.Code, answer.Body), Is.EqualTo((422, """{"code":601,"message":"id in path must be of type int64: \"abc\""}""")));
    }

    private async Task AssertRefusedAsync(JsonObject spec, int status, string body)
    {
        var id = spec["id"]!.GetValue<long>();
        var answer = await PutAsync(spec.ToJsonString(), id);

        Assert.That((answer.Code, answer.Body), Is.EqualTo((status, body)), answer.ToString());
        Assert.That((await Agent.GetServiceAsync(id)).Code, Is.EqualTo(404), "nothing is registered");
    }

    private async Task<AgentAnswer> PutAsync(string json, long id)
    {
        Defer(async () => await Agent.DeleteServiceAsync(id));
        return await Agent.SendAsync(HttpMethod.Put, $"/v1/service/{id}", json.Length == 0 ? null : json);
    }
}
