using System.Net;
using AgentContract.Tests.Support;

namespace AgentContract.Tests.Daemon;

/// <summary><c>/v1/healthz</c> and <c>/v1/config</c>: what the plugin reads before it serves a network.</summary>
[TestFixtureSource(typeof(AgentTargets), nameof(AgentTargets.All))]
internal sealed class DaemonContract(AgentKind kind) : ContractFixture(kind)
{
    [Test]
    public async Task Config_NamesTheNodeAddressingAndOmitsADisabledFamily()
    {
        var config = await Agent.GetAsync("/v1/config");

        Assert.Multiple(() =>
        {
            Assert.That(config.Status, Is.EqualTo(HttpStatusCode.OK), config.ToString());
            Assert.That(config.Json.StringAt("status", "addressing", "ipv4", "alloc-range"), Is.EqualTo(AgentTarget.NodeRange));
            Assert.That(IPAddress.TryParse(config.Json.StringAt("status", "addressing", "ipv4", "ip"), out _), Is.True, config.Body);
            Assert.That(config.Json.Has("status", "addressing", "ipv6"), Is.False, "IPv6 is off on both agents");
            Assert.That(config.Json.StringAt("status", "datapathMode"), Is.EqualTo("veth"));
            Assert.That(config.Json.Has("status", "deviceMTU"), Is.True, config.Body);
        });
    }

    [Test]
    public async Task Healthz_AnswersOk()
    {
        var health = await Agent.GetAsync("/v1/healthz");

        Assert.That(health.Status, Is.EqualTo(HttpStatusCode.OK), health.ToString());
        Assert.That(health.Json.ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Object));
    }
}
