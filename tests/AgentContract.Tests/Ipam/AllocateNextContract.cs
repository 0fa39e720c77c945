using System.Net;
using AgentContract.Tests.Support;

namespace AgentContract.Tests.Ipam;

/// <summary><c>POST /v1/ipam</c>: where the answer carries what the plugin reads.</summary>
[TestFixtureSource(typeof(AgentTargets), nameof(AgentTargets.All))]
internal sealed class AllocateNextContract(AgentKind kind) : ContractFixture(kind)
{
    [Test]
    public async Task WithExpiration_TheUuidIsOnlyInTheFamilyDetail()
    {
        var answer = await Agent.AllocateNextAsync("family=ipv4&owner=agent-contract", expiration: true);
        var ip = answer.Json.StringAt("address", "ipv4");
        if (ip is not null)
        {
            Defer(async () => await Agent.ReleaseAsync(ip));
        }

        Assert.Multiple(() =>
        {
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
            Assert.That(IPAddress.TryParse(ip, out _), Is.True, $"address.ipv4 is a bare address: {answer.Body}");
            Assert.That(answer.Json.StringAt("ipv4", "ip"), Is.EqualTo(ip));
            Assert.That(Guid.TryParse(answer.Json.StringAt("ipv4", "expiration-uuid"), out _), Is.True, $"ipv4.expiration-uuid: {answer.Body}");
            Assert.That(answer.Json.Has("address", "ipv4-expiration-uuid"), Is.False, "the address pair carries no UUID");
            Assert.That(answer.Json.StringAt("ipv4", "gateway"), Is.Null.Or.Empty, "cluster-pool IPAM names no gateway");
            Assert.That(answer.Json.StringAt("host-addressing", "ipv4", "alloc-range"), Is.EqualTo(AgentTarget.NodeRange));
            Assert.That(answer.Json.StringAt("host-addressing", "ipv4", "enabled"), Is.EqualTo("true"));
            Assert.That(answer.Json.StringAt("address", "ipv4-pool-name"), Agent.NamesPools ? Is.EqualTo("default") : Is.Null);
        });
    }

    [Test]
    public async Task WithoutExpiration_NoUuid()
    {
        var answer = await Agent.AllocateNextAsync("family=ipv4&owner=agent-contract");
        var ip = answer.Json.StringAt("address", "ipv4")!;
        Defer(async () => await Agent.ReleaseAsync(ip));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
        Assert.That(answer.Json.StringAt("ipv4", "expiration-uuid"), Is.Null.Or.Empty, answer.Body);
    }

    [Test]
    public async Task DisabledFamily_IsCreatedWithAnEmptyAddress()
    {
        var answer = await Agent.AllocateNextAsync("family=ipv6&owner=agent-contract");

        Assert.Multiple(() =>
        {
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Created), answer.ToString());
            Assert.That(answer.Json.GetProperty("address").EnumerateObject().Count(), Is.Zero, answer.Body);
            Assert.That(answer.Json.Has("ipv6"), Is.False, answer.Body);
            Assert.That(answer.Json.Has("ipv4"), Is.False, answer.Body);
        });
    }

    [Test]
    public async Task UnknownFamily_Is422FromTheApiLayer()
    {
        var answer = await Agent.AllocateNextAsync("family=ipx&owner=agent-contract");

        Assert.Multiple(() =>
        {
            Assert.That(answer.Code, Is.EqualTo(422), answer.ToString());
            Assert.That(answer.Json.StringAt("code"), Is.EqualTo("606"));
            Assert.That(answer.Json.StringAt("message"), Is.EqualTo("family in query should be one of [ipv4 ipv6]"));
        });
    }
}
