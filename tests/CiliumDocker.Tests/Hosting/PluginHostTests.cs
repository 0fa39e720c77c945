using System.Text.Json;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Hosting;

/// <summary>The HTTP surface as Docker meets it: real Kestrel on a Unix socket, requests byte for byte as Docker sends them.</summary>
[CancelAfter(20_000)]
internal sealed class PluginHostTests
{
    private static readonly string[] BodylessCalls =
    [
        "/Plugin.Activate", "/NetworkDriver.GetCapabilities", "/IpamDriver.GetCapabilities", "/IpamDriver.GetDefaultAddressSpaces",
    ];

    private static readonly string[] BodyCalls =
    [
        "/NetworkDriver.CreateNetwork", "/NetworkDriver.DeleteNetwork", "/NetworkDriver.CreateEndpoint", "/NetworkDriver.DeleteEndpoint",
        "/NetworkDriver.EndpointOperInfo", "/NetworkDriver.Join", "/NetworkDriver.Leave", "/NetworkDriver.ProgramExternalConnectivity",
        "/NetworkDriver.RevokeExternalConnectivity", "/NetworkDriver.DiscoverNew", "/NetworkDriver.DiscoverDelete",
        "/NetworkDriver.AllocateNetwork", "/NetworkDriver.FreeNetwork", "/IpamDriver.RequestPool", "/IpamDriver.ReleasePool",
        "/IpamDriver.RequestAddress", "/IpamDriver.ReleaseAddress",
    ];

    private InProcessPlugin _plugin = null!;

    [SetUp]
    public async Task SetUp() => _plugin = await InProcessPlugin.StartAsync();

    [TearDown]
    public async Task TearDown() => await _plugin.DisposeAsync();

    [Test]
    public void Socket_AfterStart_IsOwnerReadWriteOnly()
    {
        Assert.That(File.GetUnixFileMode(_plugin.SocketPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [TestCase("/Plugin.Activate", """{"Implements":["NetworkDriver","IpamDriver"]}""")]
    [TestCase("/NetworkDriver.GetCapabilities", """{"Scope":"local","ConnectivityScope":"local"}""")]
    [TestCase("/IpamDriver.GetCapabilities", """{"RequiresMACAddress":false,"RequiresRequestReplay":false}""")]
    [TestCase("/IpamDriver.GetDefaultAddressSpaces", """{"LocalDefaultAddressSpace":"CiliumLocal","GlobalDefaultAddressSpace":"CiliumGlobal"}""")]
    public async Task BodylessCall_EmptyBodyAsDockerSendsIt_AnswersExactJson(string path, string expected)
    {
        var response = await _plugin.PostAsync(path, body: null);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(200));
            Assert.That(response.Body, Is.EqualTo(expected));
            Assert.That(response.ContentType, Is.EqualTo("application/vnd.docker.plugins.v1+json"));
        });
    }

    [TestCaseSource(nameof(BodylessCalls))]
    public async Task BodylessCall_WithGarbageBody_IgnoresIt(string path)
    {
        var response = await _plugin.PostAsync(path, "not json at all");

        Assert.That(response.Status, Is.EqualTo(200));
    }

    [Test]
    public async Task DockerSequence_ExactCapturedRequests_AllAnswer200WithJsonObjects()
    {
        (string Path, string Body, string Expected)[] sequence =
        [
            ("/IpamDriver.RequestPool", DockerRequests.RequestPoolJson, """{"PoolID":"CiliumPoolv4","Pool":"0.0.0.0/0","Data":{"com.docker.network.gateway":"10.11.0.1/32"}}"""),
            ("/NetworkDriver.CreateNetwork", DockerRequests.CreateNetworkJson, "{}"),
            ("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, """{"Address":"10.11.0.2/32"}"""),
            ("/NetworkDriver.CreateEndpoint", DockerRequests.CreateEndpointJson, """{"Interface":{"MacAddress":"d2:00:00:00:00:64"}}"""),
            ("/NetworkDriver.Join", DockerRequests.JoinJson, $$"""{"InterfaceName":{"SrcName":"{{CiliumDocker.Datapath.VethNames.Container(DockerRequests.EndpointId)}}","DstPrefix":"cilium"},"Gateway":"10.11.0.1","StaticRoutes":[{"Destination":"10.11.0.1/32","RouteType":1},{"Destination":"10.11.0.0/16","RouteType":0,"NextHop":"10.11.0.1"}],"DisableGatewayService":true}"""),
            ("/NetworkDriver.ProgramExternalConnectivity", DockerRequests.JoinJson, "{}"),
            ("/NetworkDriver.EndpointOperInfo", DockerRequests.EndpointJson, """{"Value":{}}"""),
            ("/NetworkDriver.RevokeExternalConnectivity", DockerRequests.EndpointJson, "{}"),
            ("/NetworkDriver.Leave", DockerRequests.EndpointJson, "{}"),
            ("/NetworkDriver.DeleteEndpoint", DockerRequests.EndpointJson, "{}"),
            ("/IpamDriver.ReleaseAddress", DockerRequests.ReleaseAddressJson, "{}"),
            ("/IpamDriver.ReleaseAddress", DockerRequests.ReleaseGatewayJson, "{}"),
            ("/IpamDriver.ReleasePool", DockerRequests.ReleasePoolJson, "{}"),
            ("/NetworkDriver.DeleteNetwork", DockerRequests.DeleteNetworkJson, "{}"),
        ];

        foreach (var (path, body, expected) in sequence)
        {
            var response = await _plugin.PostAsync(path, body);
            Assert.That((response.Status, response.Body), Is.EqualTo((200, expected)), path);
        }

        Assert.Multiple(() =>
        {
            Assert.That(_plugin.Model.Allocations, Is.Empty);
            Assert.That(_plugin.Model.Endpoints, Is.Empty);
            Assert.That(_plugin.Datapath.Existing, Is.Empty);
        });
    }

    [TestCaseSource(nameof(BodyCalls))]
    public async Task BodyCall_EmptyBody_Answers500WithBothErrorKeys(string path)
    {
        var response = await _plugin.PostAsync(path, body: null);

        AssertPluginError(response, 500, "the request body is empty");
    }

    [TestCase("/IpamDriver.RequestPool", "{\"V6\":")]
    [TestCase("/IpamDriver.RequestPool", "{\"V6\":\"yes\"}")]
    [TestCase("/IpamDriver.RequestPool", "[1,2,3]")]
    [TestCase("/IpamDriver.RequestAddress", "{\"PoolID\":42}")]
    [TestCase("/IpamDriver.RequestAddress", "{\"PoolID\":\"CiliumPoolv4\",\"Options\":{\"RequestAddressType\":true}}")]
    [TestCase("/NetworkDriver.CreateEndpoint", "{\"EndpointID\":[\"x\"]}")]
    [TestCase("/NetworkDriver.CreateEndpoint", "{\"Interface\":\"10.11.0.2/32\"}")]
    [TestCase("/NetworkDriver.Join", "{} trailing")]
    [TestCase("/NetworkDriver.Join", "\"just a string\"")]
    public async Task BodyCall_MalformedOrMistypedJson_Answers500AndKeepsServing(string path, string body)
    {
        var response = await _plugin.PostAsync(path, body);

        AssertPluginError(response, 500, "is not the JSON object Docker sends");
        Assert.That((await _plugin.PostAsync("/Plugin.Activate", null)).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task BodyCall_JsonNull_Answers500()
    {
        var response = await _plugin.PostAsync("/NetworkDriver.Leave", "null");

        AssertPluginError(response, 500, "JSON null");
    }

    [Test]
    public async Task BodyCall_HugeBody_Answers500AndKeepsServing()
    {
        var huge = "{\"PoolID\":\"" + new string('x', 2 * 1024 * 1024) + "\"}";

        var response = await _plugin.PostAsync("/IpamDriver.RequestAddress", huge);

        AssertPluginError(response, 500, "larger than the plugin accepts");
        Assert.That((await _plugin.PostAsync("/Plugin.Activate", null)).Status, Is.EqualTo(200));
    }

    [TestCase("a/b")]
    [TestCase("..")]
    [TestCase("x y")]
    [TestCase("$(touch /tmp/pwned)")]
    [TestCase("a;b|c&d")]
    public async Task EndpointCall_HostileEndpointId_Answers500WithoutTouchingAgentOrHost(string endpointId)
    {
        var body = $$"""{"NetworkID":"{{DockerRequests.NetworkId}}","EndpointID":"{{JsonEncodedText.Encode(endpointId)}}"}""";

        foreach (var path in new[] { "/NetworkDriver.Join", "/NetworkDriver.Leave", "/NetworkDriver.DeleteEndpoint", "/NetworkDriver.EndpointOperInfo" })
        {
            AssertPluginError(await _plugin.PostAsync(path, body), 500, "is not a Docker id");
        }

        Assert.Multiple(() =>
        {
            Assert.That(_plugin.Agent.Calls, Is.Empty);
            Assert.That(_plugin.Datapath.Deleted, Is.Empty);
        });
    }

    [Test]
    public async Task UnknownPoolId_Answers500Clearly()
    {
        var response = await _plugin.PostAsync("/IpamDriver.RequestAddress", """{"PoolID":"../../etc","Address":"","Options":null}""");

        AssertPluginError(response, 500, "unknown pool ID");
    }

    [TestCase("/NetworkDriver.GwAllocCheck")]
    [TestCase("/Plugin.Deactivate")]
    [TestCase("/")]
    [TestCase("/networkdriver.join/extra")]
    public async Task UnknownPath_Answers404WithBothErrorKeys(string path)
    {
        var response = await _plugin.PostAsync(path, "{}");

        AssertPluginError(response, 404, "is not a call cilium-docker implements");
    }

    [Test]
    public async Task PluginCall_WithGet_Answers405()
    {
        var response = await DockerWire.SendAsync(_plugin.SocketPath, "GET", "/NetworkDriver.Join", [], TestContext.CurrentContext.CancellationToken);

        AssertPluginError(response, 405, "is called with POST");
    }

    [Test]
    public async Task AgentUnknown_CallsNeedingIt_FailFastNamingTheSocket()
    {
        _plugin.Config.Set(null);

        var response = await _plugin.PostAsync("/IpamDriver.RequestPool", DockerRequests.RequestPoolJson);

        AssertPluginError(response, 500, FakeAgentConfig.Socket);
        Assert.That((await _plugin.PostAsync("/NetworkDriver.GetCapabilities", null)).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Health_AgentConfigured_Answers200WithReport()
    {
        var response = await DockerWire.SendAsync(_plugin.SocketPath, "GET", "/Plugin.Health", [], TestContext.CurrentContext.CancellationToken);

        using var report = JsonDocument.Parse(response.Body);
        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(200));
            Assert.That(report.RootElement.GetProperty("healthy").GetBoolean(), Is.True);
            Assert.That(report.RootElement.GetProperty("agent").GetProperty("socket").GetString(), Is.EqualTo(FakeAgentConfig.Socket));
            Assert.That(report.RootElement.GetProperty("labels").GetProperty("state").GetString(), Is.EqualTo("Disabled"));
        });
    }

    [Test]
    public async Task Health_AgentNeverReached_Answers503()
    {
        _plugin.Config.Set(null);

        var response = await DockerWire.SendAsync(_plugin.SocketPath, "GET", "/Plugin.Health", [], TestContext.CurrentContext.CancellationToken);

        Assert.That(response.Status, Is.EqualTo(503));
    }

    [Test]
    public async Task Metrics_AfterCalls_CountsThemInPrometheusFormat()
    {
        await _plugin.PostAsync("/Plugin.Activate", null);
        await _plugin.PostAsync("/NetworkDriver.Leave", null);

        var response = await DockerWire.SendAsync(_plugin.SocketPath, "GET", "/metrics", [], TestContext.CurrentContext.CancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(response.ContentType, Is.EqualTo("text/plain; version=0.0.4; charset=utf-8"));
            Assert.That(response.Body, Does.Contain("cilium_docker_requests_total{method=\"Plugin.Activate\",outcome=\"success\"} 1\n"));
            Assert.That(response.Body, Does.Contain("cilium_docker_requests_total{method=\"NetworkDriver.Leave\",outcome=\"error\"} 1\n"));
        });
    }

    [Test]
    public async Task ConcurrentCalls_AreServedInParallel()
    {
        var calls = Enumerable.Range(0, 20).Select(_ => _plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson));

        var responses = await Task.WhenAll(calls);

        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(response => response.Status), Is.All.EqualTo(200));
            Assert.That(responses.Select(response => response.Body).Distinct().Count(), Is.EqualTo(20));
        });
    }

    private static void AssertPluginError(WireResponse response, int status, string expectedText)
    {
        using var json = JsonDocument.Parse(response.Body);
        var err = json.RootElement.GetProperty("Err").GetString();
        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(status));
            Assert.That(err, Does.Contain(expectedText));
            Assert.That(json.RootElement.GetProperty("Error").GetString(), Is.EqualTo(err));
            Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
        });
    }
}
