using System.Text.Json.Nodes;
using CiliumAgentSim.Tests.Support;

namespace CiliumAgentSim.Tests.Control;

[CancelAfter(30_000)]
internal sealed class RestartTests
{
    [Test]
    public async Task Restart_KeepState_SocketGoesAwayAndComesBackWithState()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync();
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"e","addressing":{"ipv4":"10.11.0.2"}}""");

        var (status, _) = await sim.ControlAsync(HttpMethod.Post, "/restart", """{"keepState":true,"downMs":300}""");
        var whileDown = await sim.StateAsync();
        var socketGone = !File.Exists(sim.Options.SocketPath);
        Assert.That(async () => await sim.SendAsync(HttpMethod.Get, "/v1/healthz"), Throws.InstanceOf<HttpRequestException>());
        await WaitForAgentAsync(sim);
        var endpoint = await sim.SendAsync(HttpMethod.Get, "/v1/endpoint/docker-endpoint:e");
        var state = await sim.StateAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(202));
            Assert.That(socketGone, Is.True);
            Assert.That(whileDown["agentUp"]!.GetValue<bool>(), Is.False);
            Assert.That(endpoint.Status, Is.EqualTo(200));
            Assert.That(state["addresses"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(state["restarts"]!.GetValue<int>(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Restart_LoseState_ForgetsEndpointsAndAllocations()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync();
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"e","addressing":{"ipv4":"10.11.0.2"}}""");

        await sim.ControlAsync(HttpMethod.Post, "/restart", """{"keepState":false}""");
        await WaitForAgentAsync(sim);
        var endpoint = await sim.SendAsync(HttpMethod.Get, "/v1/endpoint/docker-endpoint:e");
        var next = await sim.AllocateAsync();

        Assert.That(endpoint.Status, Is.EqualTo(404));
        Assert.That(next["address"]!["ipv4"]!.GetValue<string>(), Is.EqualTo("10.11.0.2"));
    }

    [Test]
    public async Task Restart_EmptyBody_KeepsStateAndComesBackAtOnce()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync();

        var (status, body) = await sim.ControlAsync(HttpMethod.Post, "/restart");
        await WaitForAgentAsync(sim);

        Assert.That(status, Is.EqualTo(202));
        Assert.That(body, Is.EqualTo("""{"keepState":true,"downMs":0}"""));
        Assert.That((await sim.StateAsync())["addresses"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Restart_InFlightRequest_IsCut()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"blackhole":true}""");
        var held = sim.SendAsync(HttpMethod.Get, "/v1/config");
        await Task.Delay(100);

        await sim.ControlAsync(HttpMethod.Post, "/restart", """{"downMs":100}""");

        Assert.That(async () => await held, Throws.InstanceOf<HttpRequestException>());
    }

    [TestCase("""{"downMs":-5}""")]
    [TestCase("""{"keepState":"yes"}""")]
    public async Task Restart_BadBody_Answers400AndStaysUp(string json)
    {
        await using var sim = await SimHarness.StartAsync();

        var (status, _) = await sim.ControlAsync(HttpMethod.Post, "/restart", json);
        var health = await sim.SendAsync(HttpMethod.Get, "/v1/healthz");

        Assert.That((status, health.Status), Is.EqualTo((400, 200)));
    }

    [Test]
    public async Task GetState_AllocationsAndEndpoints_ReportsLeaksBothWays()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync("family=ipv4&owner=docker-ipam");
        await sim.AllocateAsync("family=ipv4&owner=docker-ipam");
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"e","addressing":{"ipv4":"10.11.0.2/32"}}""");
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"f","addressing":{"ipv4":"10.11.0.9/32"}}""");

        var state = await sim.StateAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(state["agentUp"]!.GetValue<bool>(), Is.True);
            Assert.That(state["routerIPv4"]!.GetValue<string>(), Is.EqualTo("10.11.0.1"));
            Assert.That(state["addresses"]![0]!["endpointId"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(state["addresses"]![1]!["owner"]!.GetValue<string>(), Is.EqualTo("docker-ipam"));
            Assert.That(Strings(state["unclaimedAddresses"]), Is.EqualTo(new[] { "10.11.0.3" }));
            Assert.That(Strings(state["unallocatedEndpointAddresses"]), Is.EqualTo(new[] { "10.11.0.9" }));
            Assert.That(state["endpoints"]!.AsArray().Select(e => e!["dockerEndpointId"]!.GetValue<string>()), Is.EqualTo(new[] { "e", "f" }));
        }
    }

    private static IEnumerable<string> Strings(JsonNode? array) => array!.AsArray().Select(a => a!.GetValue<string>());

    private static async Task WaitForAgentAsync(SimHarness sim)
    {
        while (true)
        {
            try
            {
                if ((await sim.SendAsync(HttpMethod.Get, "/v1/healthz")).Status == 200)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Still down.
            }

            await Task.Delay(50);
        }
    }
}
