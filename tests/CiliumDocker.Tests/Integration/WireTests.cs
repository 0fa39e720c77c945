using System.Text.Json;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Integration;

/// <summary>The AOT binary's HTTP surface, byte for byte as Docker speaks it (catches trimming and generator gaps JIT tests cannot).</summary>
internal sealed class WireTests : PluginIntegrationTest
{
    private static readonly string[] Routes =
    [
        "/Plugin.Activate", "/NetworkDriver.GetCapabilities", "/NetworkDriver.CreateNetwork", "/NetworkDriver.DeleteNetwork",
        "/NetworkDriver.CreateEndpoint", "/NetworkDriver.DeleteEndpoint", "/NetworkDriver.EndpointOperInfo", "/NetworkDriver.Join",
        "/NetworkDriver.Leave", "/NetworkDriver.ProgramExternalConnectivity", "/NetworkDriver.RevokeExternalConnectivity",
        "/NetworkDriver.DiscoverNew", "/NetworkDriver.DiscoverDelete", "/NetworkDriver.AllocateNetwork", "/NetworkDriver.FreeNetwork",
        "/IpamDriver.GetCapabilities", "/IpamDriver.GetDefaultAddressSpaces", "/IpamDriver.RequestPool", "/IpamDriver.ReleasePool",
        "/IpamDriver.RequestAddress", "/IpamDriver.ReleaseAddress",
    ];

    [SetUp]
    public async Task StartPluginAsync()
    {
        await StartAsync();
        await WaitForAgentConfigAsync();
    }

    [Test]
    public async Task EveryRoute_EndpointBodyFromDocker_AnswersJsonObjectNever404Or415()
    {
        foreach (var route in Routes)
        {
            var body = route.Contains("Network", StringComparison.Ordinal) && !route.Contains("Endpoint", StringComparison.Ordinal) && !route.Contains("Join", StringComparison.Ordinal)
                ? DockerRequests.DeleteNetworkJson
                : DockerRequests.EndpointJson;
            var response = await Plugin.PostAsync(route, body, Cancellation);

            using var json = JsonDocument.Parse(response.Body);
            Assert.Multiple(() =>
            {
                Assert.That(response.Status, Is.EqualTo(200).Or.EqualTo(500), route);
                Assert.That(json.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object), route);
                Assert.That(response.ContentType, Is.EqualTo("application/vnd.docker.plugins.v1+json"), route);
            });
            if (response.Status == 500)
            {
                Assert.That(json.RootElement.GetProperty("Err").GetString(), Is.EqualTo(json.RootElement.GetProperty("Error").GetString()).And.Not.Empty, route);
            }
        }
    }

    [Test]
    public async Task CapturedDockerSequence_ReplayedOnTheBinary_AnswersAsDockerExpects()
    {
        var pool = await Plugin.PostAsync("/IpamDriver.RequestPool", DockerRequests.RequestPoolJson, Cancellation);
        var network = await Plugin.PostAsync("/NetworkDriver.CreateNetwork", DockerRequests.CreateNetworkJson, Cancellation);
        var address = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);

        Assert.Multiple(() =>
        {
            Assert.That(pool.Body, Is.EqualTo("""{"PoolID":"CiliumPoolv4","Pool":"0.0.0.0/0","Data":{"com.docker.network.gateway":"10.11.0.1/32"}}"""));
            Assert.That(network.Body, Is.EqualTo("{}"));
            Assert.That(address.Body, Is.EqualTo("""{"Address":"10.11.0.2/32"}"""));
        });

        var allocation = Agent.Requests.Single(request => request is { Method: "POST", Path: "/v1/ipam" });
        Assert.Multiple(() =>
        {
            Assert.That(allocation.QueryString, Does.Contain("family=ipv4").And.Contain("owner=docker-ipam"));
            Assert.That(allocation.Header("expiration"), Is.EqualTo("true"));
        });

        var release = await Plugin.PostAsync("/IpamDriver.ReleaseAddress", """{"PoolID":"CiliumPoolv4","Address":"10.11.0.2"}""" + "\n", Cancellation);
        var releaseGateway = await Plugin.PostAsync("/IpamDriver.ReleaseAddress", DockerRequests.ReleaseGatewayJson, Cancellation);
        var releasePool = await Plugin.PostAsync("/IpamDriver.ReleasePool", DockerRequests.ReleasePoolJson, Cancellation);
        var deleteNetwork = await Plugin.PostAsync("/NetworkDriver.DeleteNetwork", DockerRequests.DeleteNetworkJson, Cancellation);

        Assert.Multiple(() =>
        {
            Assert.That(new[] { release, releaseGateway, releasePool, deleteNetwork }.Select(response => (response.Status, response.Body)), Is.All.EqualTo((200, "{}")));
            Assert.That(Agent.Requests.Where(request => request.Method == "DELETE").Select(request => request.Path), Is.EqualTo(new[] { "/v1/ipam/10.11.0.2" }), "the router address is never released");
        });
        AssertNoLeakedAddresses();
        Assert.That(Agent.Model.Allocations, Is.Empty);
    }

    [Test]
    public async Task BadInput_EveryKind_ClearErrorAndTheProcessKeepsServing()
    {
        (string Path, string? Body, string Expected)[] cases =
        [
            ("/IpamDriver.RequestPool", null, "the request body is empty"),
            ("/NetworkDriver.CreateEndpoint", "   ", "the request body is empty"),
            ("/NetworkDriver.Join", "{\"EndpointID\":", "is not the JSON object Docker sends"),
            ("/IpamDriver.RequestPool", "{\"V6\":\"true\"}", "is not the JSON object Docker sends"),
            ("/IpamDriver.RequestAddress", "{\"PoolID\":[]}", "is not the JSON object Docker sends"),
            ("/NetworkDriver.Leave", "null", "JSON null"),
            ("/IpamDriver.RequestAddress", "{\"PoolID\":\"CiliumPoolv7\"}", "unknown pool ID"),
            ("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"nope\",\"Address\":\"10.11.0.2\"}", "unknown pool ID"),
            ("/NetworkDriver.Leave", "{\"EndpointID\":\"../../v1/config\"}", "is not a Docker id"),
            ("/NetworkDriver.DeleteEndpoint", "{\"EndpointID\":\"a b\"}", "is not a Docker id"),
            ("/NetworkDriver.Join", "{\"EndpointID\":\"$(reboot)\"}", "is not a Docker id"),
            ("/NetworkDriver.EndpointOperInfo", "{\"EndpointID\":\"x;rm -rf /\"}", "is not a Docker id"),
            ("/NetworkDriver.CreateEndpoint", "{\"NetworkID\":\"n\",\"EndpointID\":\"a/b\",\"Interface\":{\"Address\":\"10.11.0.9/32\"}}", "is not a Docker id"),
            ("/IpamDriver.RequestAddress", "{\"PoolID\":\"CiliumPoolv4\",\"Address\":\"10.11.0.1; id\"}", "is not an IP address"),
            ("/IpamDriver.RequestAddress", "{\"PoolID\":\"" + new string('a', 2 * 1024 * 1024) + "\"}", "larger than the plugin accepts"),
        ];

        foreach (var (path, body, expected) in cases)
        {
            var response = await Plugin.PostAsync(path, body, Cancellation);
            using var json = JsonDocument.Parse(response.Body);
            Assert.Multiple(() =>
            {
                Assert.That(response.Status, Is.EqualTo(500), path + " " + expected);
                Assert.That(json.RootElement.GetProperty("Err").GetString(), Does.Contain(expected));
                Assert.That(json.RootElement.GetProperty("Error").GetString(), Does.Contain(expected));
            });
        }

        Assert.Multiple(() =>
        {
            Assert.That(Plugin.HasExited, Is.False);
            Assert.That(Agent.Requests.Where(request => request.Path != "/v1/config"), Is.Empty, "bad input never reaches the agent");
        });
        Assert.That((await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation)).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task UnknownPath_Answers404WithBothKeys()
    {
        var response = await Plugin.PostAsync("/VolumeDriver.Mount", "{}", Cancellation);

        using var json = JsonDocument.Parse(response.Body);
        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(404));
            Assert.That(json.RootElement.GetProperty("Err").GetString(), Does.Contain("/VolumeDriver.Mount"));
            Assert.That(json.RootElement.TryGetProperty("Error", out _), Is.True);
        });
    }

    [Test]
    public async Task HealthAndMetrics_OnTheBinary_Answer()
    {
        await Plugin.PostAsync("/Plugin.Activate", null, Cancellation);

        var health = await Plugin.GetAsync("/Plugin.Health", Cancellation);
        var metrics = await Plugin.GetAsync("/metrics", Cancellation);

        using var report = JsonDocument.Parse(health.Body);
        Assert.Multiple(() =>
        {
            Assert.That(health.Status, Is.EqualTo(200));
            Assert.That(report.RootElement.GetProperty("agent").GetProperty("reachable").GetBoolean(), Is.True);
            Assert.That(report.RootElement.GetProperty("agent").GetProperty("socket").GetString(), Is.EqualTo(Agent.Uri));
            Assert.That(metrics.Body, Does.Match("cilium_docker_requests_total\\{method=\"Plugin.Activate\",outcome=\"success\"\\} [1-9]"));
            Assert.That(metrics.Body, Does.Contain("cilium_docker_agent_calls_total"));
        });
    }
}
