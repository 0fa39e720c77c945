using System.Text.Json.Nodes;
using CiliumAgentSim.Tests.Support;

namespace CiliumAgentSim.Tests.Control;

/// <summary>
/// The real agent restores services from its pinned BPF maps: they survive a restart without their metadata. A
/// restart that loses state (the real agent after <c>stop.sh</c>, which removes the pins) forgets them.
/// </summary>
[CancelAfter(30_000)]
internal sealed class ServiceRestartTests
{
    private const string Named = """
        {"id":9,"frontend-address":{"ip":"10.0.0.2","port":80,"protocol":"udp","scope":"external"},
         "backend-addresses":[{"ip":"10.11.0.7","port":81,"nodeName":"nn"}],
         "flags":{"type":"HostPort","name":"web","namespace":"ns","trafficPolicy":"Local","healthCheckNodePort":3000}}
        """;

    [Test]
    public async Task Restart_KeepState_ServiceComesBackWithoutMetadata()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.SendAsync(HttpMethod.Put, "/v1/service/9", Named);

        await sim.ControlAsync(HttpMethod.Post, "/restart", """{"keepState":true}""");
        await WaitForAgentAsync(sim);
        var (status, body) = await sim.SendAsync(HttpMethod.Get, "/v1/service/9");

        Assert.That(status, Is.EqualTo(200));
        Assert.That(JsonNode.Parse(body)!["spec"]!.ToJsonString(), Is.EqualTo(
            """{"backend-addresses":[{"ip":"10.11.0.7","port":81}],"flags":{"trafficPolicy":"Cluster","type":"HostPort"},"frontend-address":{"ip":"10.0.0.2","port":80,"scope":"external"},"id":9}"""));
    }

    [Test]
    public async Task Restart_LoseState_ForgetsServices()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.SendAsync(HttpMethod.Put, "/v1/service/9", Named);

        await sim.ControlAsync(HttpMethod.Post, "/restart", """{"keepState":false}""");
        await WaitForAgentAsync(sim);

        Assert.That(await sim.SendAsync(HttpMethod.Get, "/v1/service"), Is.EqualTo((200, "[]")));
    }

    private static async Task WaitForAgentAsync(SimHarness sim)
    {
        for (var i = 0; i < 100; i++)
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

        Assert.Fail("the agent socket did not come back");
    }
}
