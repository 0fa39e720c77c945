using System.Net;
using System.Text.Json.Nodes;
using CiliumAgentSim.State;
using CiliumAgentSim.Tests.Support;

namespace CiliumAgentSim.Tests.Api;

[CancelAfter(30_000)]
internal sealed class DaemonApiTests
{
    [Test]
    public async Task GetConfig_Defaults_ReportsSeedAddressingMtuAndModeWithGoKeys()
    {
        await using var sim = await SimHarness.StartAsync();

        var (status, body) = await sim.SendAsync(HttpMethod.Get, "/v1/config");

        var json = JsonNode.Parse(body)!;
        var statusNode = json["status"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(200));
            Assert.That(statusNode["addressing"]!["ipv4"]!["enabled"]!.GetValue<bool>(), Is.True);
            Assert.That(statusNode["addressing"]!["ipv4"]!["ip"]!.GetValue<string>(), Is.EqualTo("10.11.0.1"));
            Assert.That(statusNode["addressing"]!["ipv4"]!["alloc-range"]!.GetValue<string>(), Is.EqualTo("10.11.0.0/16"));
            Assert.That(statusNode["addressing"]!.AsObject().ContainsKey("ipv6"), Is.False, "a disabled family is omitted like the agent's nil pointer");
            Assert.That(statusNode["deviceMTU"]!.GetValue<int>(), Is.EqualTo(1500));
            Assert.That(statusNode["routeMTU"]!.GetValue<int>(), Is.EqualTo(1450));
            Assert.That(statusNode["datapathMode"]!.GetValue<string>(), Is.EqualTo("veth"));
            Assert.That(statusNode.AsObject().ContainsKey("GROMaxSize"), Is.False, "zero sizes are omitted (omitempty)");
            Assert.That(json["spec"]!["policy-enforcement"]!.GetValue<string>(), Is.EqualTo("default"));
        }
    }

    [Test]
    public async Task GetConfig_ConfiguredFamiliesSizesAndMode_ReportsThem()
    {
        await using var sim = await SimHarness.StartAsync(o => o with
        {
            IPv6Range = Cidr.TryParse("f00d::a0b:0:0:0/96", out var v6) ? v6 : null,
            DeviceMtu = 9000,
            RouteMtu = 8950,
            DatapathMode = "netkit",
            GroMaxSize = 65536,
            GsoMaxSize = 65537,
            GroIPv4MaxSize = 65538,
            GsoIPv4MaxSize = 65539,
        });

        var (_, body) = await sim.SendAsync(HttpMethod.Get, "/v1/config");

        var status = JsonNode.Parse(body)!["status"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status["addressing"]!["ipv6"]!["ip"]!.GetValue<string>(), Is.EqualTo("f00d::a0b:0:0:1"));
            Assert.That(status["addressing"]!["ipv6"]!["alloc-range"]!.GetValue<string>(), Is.EqualTo("f00d::a0b:0:0:0/96"));
            Assert.That(status["deviceMTU"]!.GetValue<int>(), Is.EqualTo(9000));
            Assert.That(status["routeMTU"]!.GetValue<int>(), Is.EqualTo(8950));
            Assert.That(status["datapathMode"]!.GetValue<string>(), Is.EqualTo("netkit"));
            Assert.That(status["GROMaxSize"]!.GetValue<long>(), Is.EqualTo(65536));
            Assert.That(status["GSOMaxSize"]!.GetValue<long>(), Is.EqualTo(65537));
            Assert.That(status["GROIPv4MaxSize"]!.GetValue<long>(), Is.EqualTo(65538));
            Assert.That(status["GSOIPv4MaxSize"]!.GetValue<long>(), Is.EqualTo(65539));
        }
    }

    [Test]
    public async Task GetConfig_IPv4DisabledAndReported_ShowsDisabledElement()
    {
        await using var sim = await SimHarness.StartAsync(o => o with
        {
            IPv4Range = null,
            IPv6Range = Cidr.TryParse("f00d::/112", out var v6) ? v6 : null,
            ReportDisabledFamily = true,
        });

        var (_, body) = await sim.SendAsync(HttpMethod.Get, "/v1/config");

        var ipv4 = JsonNode.Parse(body)!["status"]!["addressing"]!["ipv4"]!;
        Assert.That(ipv4.ToJsonString(), Is.EqualTo("""{"enabled":false,"ip":"","alloc-range":"","address-type":""}"""));
    }

    [Test]
    public async Task GetHealthz_Always_AnswersOkWithIpamAllocations()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync("family=ipv4&owner=docker-ipam");

        var (status, body) = await sim.SendAsync(HttpMethod.Get, "/v1/healthz");

        var json = JsonNode.Parse(body)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(200));
            Assert.That(json["cilium"]!["state"]!.GetValue<string>(), Is.EqualTo("Ok"));
            Assert.That(json["ipam"]!["allocations"]!["10.11.0.2"]!.GetValue<string>(), Is.EqualTo("docker-ipam"));
            Assert.That(json["ipam"]!["allocations"]!["10.11.0.1"]!.GetValue<string>(), Is.EqualTo("router"));
        }
    }

    [Test]
    public async Task GetHealthz_BriefHeader_AnswersOnlyCiliumStatus()
    {
        await using var sim = await SimHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/healthz");
        request.Headers.Add("brief", "true");

        using var response = await sim.Agent.SendAsync(request);

        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.That(json.Select(p => p.Key), Is.EqualTo(new[] { "cilium" }));
    }

    [Test]
    public async Task UnknownPath_Any_Answers404LikeGoSwagger()
    {
        await using var sim = await SimHarness.StartAsync();

        var (status, body) = await sim.SendAsync(HttpMethod.Get, "/v1/nothing-here");

        Assert.That((status, body), Is.EqualTo((404, """{"code":404,"message":"path /v1/nothing-here was not found"}""")));
    }

    [Test]
    public async Task Request_WithoutContentType_IsServed()
    {
        await using var sim = await SimHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/endpoint/cilium-local:0")
        {
            Content = new ByteArrayContent("""{"state":"waiting-for-identity"}"""u8.ToArray()),
        };

        using var response = await sim.Agent.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }
}
