using System.Text.Json.Nodes;
using CiliumAgentSim.State;
using CiliumAgentSim.Tests.Support;

namespace CiliumAgentSim.Tests.Api;

[CancelAfter(30_000)]
internal sealed class IpamApiTests
{
    private static readonly Func<CiliumAgentSim.Hosting.SimOptions, CiliumAgentSim.Hosting.SimOptions> DualStack =
        o => o with { IPv6Range = Cidr.TryParse("f00d::a0b:0:0:0/96", out var v6) ? v6 : null };

    private static readonly Func<CiliumAgentSim.Hosting.SimOptions, CiliumAgentSim.Hosting.SimOptions> Tiny =
        o => o with { IPv4Range = Cidr.TryParse("10.20.0.0/29", out var v4) ? v4 : null };

    [Test]
    public async Task AllocateNext_IPv4_Answers201WithBareAddressDetailAndHostAddressing()
    {
        await using var sim = await SimHarness.StartAsync();

        var json = await sim.AllocateAsync("family=ipv4&owner=docker-ipam");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(json["address"]!.ToJsonString(), Is.EqualTo("""{"ipv4":"10.11.0.2"}"""), "1.10 names no pool");
            Assert.That(json["host-addressing"]!["ipv4"]!["ip"]!.GetValue<string>(), Is.EqualTo("10.11.0.1"));
            Assert.That(json["ipv4"]!["ip"]!.GetValue<string>(), Is.EqualTo("10.11.0.2"));
            Assert.That(json["ipv4"]!["gateway"]?.GetValue<string>(), Is.Null.Or.Empty, "cluster-pool IPAM names no gateway");
            Assert.That(json["ipv4"]!["cidrs"], Is.Null, "the real agent answers \"cidrs\":null");
            Assert.That(json.AsObject().ContainsKey("ipv6"), Is.False);
        }
    }

    [Test]
    public async Task AllocateNext_NoFamily_AllocatesEveryEnabledFamily()
    {
        await using var sim = await SimHarness.StartAsync(DualStack);

        var json = await sim.AllocateAsync("owner=x");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(json["address"]!["ipv4"]!.GetValue<string>(), Is.EqualTo("10.11.0.2"));
            Assert.That(json["address"]!["ipv6"]!.GetValue<string>(), Is.EqualTo("f00d::a0b:0:0:2"));
            Assert.That(json["ipv6"]!["gateway"]?.GetValue<string>(), Is.Null.Or.Empty, "cluster-pool IPAM names no gateway");
        }
    }

    [Test]
    public async Task AllocateNext_FamilyIPv6_AllocatesOnlyIPv6()
    {
        await using var sim = await SimHarness.StartAsync(DualStack);

        var json = await sim.AllocateAsync("family=ipv6&owner=x");

        Assert.That(json["address"]!.ToJsonString(), Is.EqualTo("""{"ipv6":"f00d::a0b:0:0:2"}"""), "1.10 names no pool");
    }

    [Test]
    public async Task AllocateNext_ExpirationHeader_AnswersExpirationUuid()
    {
        await using var sim = await SimHarness.StartAsync();

        var json = await sim.AllocateAsync(expiration: true);

        var uuid = json["ipv4"]!["expiration-uuid"]!.GetValue<string>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Guid.TryParse(uuid, out _), Is.True, uuid);
            Assert.That(json["address"]!.AsObject().ContainsKey("ipv4-expiration-uuid"), Is.False,
                "the real agent puts the UUID only in ipv4.expiration-uuid, never in address");
        }
    }

    [TestCase("IPv4")]
    [TestCase("inet")]
    public async Task AllocateNext_FamilyOutsideEnum_Answers422ValidationError(string family)
    {
        await using var sim = await SimHarness.StartAsync();

        var (status, body) = await sim.SendAsync(HttpMethod.Post, $"/v1/ipam?family={family}");

        Assert.That((status, body), Is.EqualTo((422, """{"code":606,"message":"family in query should be one of [ipv4 ipv6]"}""")));
    }

    [Test]
    public async Task AllocateNext_UnknownPool_Answers502()
    {
        await using var sim = await SimHarness.StartAsync();

        var (status, body) = await sim.SendAsync(HttpMethod.Post, "/v1/ipam?family=ipv4&pool=blue");

        Assert.That(status, Is.EqualTo(502));
        Assert.That(JsonNode.Parse(body)!.GetValue<string>(), Does.Contain("blue"));
    }

    [Test]
    public async Task AllocateNext_SmallRange_NeverHandsOutNetworkRouterOrBroadcastThenAnswers502()
    {
        await using var sim = await SimHarness.StartAsync(Tiny);
        var handed = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            handed.Add((await sim.AllocateAsync())["address"]!["ipv4"]!.GetValue<string>());
        }

        var (status, body) = await sim.SendAsync(HttpMethod.Post, "/v1/ipam?family=ipv4");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(handed, Is.EqualTo(new[] { "10.20.0.2", "10.20.0.3", "10.20.0.4", "10.20.0.5", "10.20.0.6" }));
            Assert.That(status, Is.EqualTo(502));
            Assert.That(JsonNode.Parse(body)!.GetValue<string>(), Does.Contain("range is full"));
        }
    }

    [Test]
    public async Task AllocateNext_AfterRelease_ReusesFreedAddress()
    {
        await using var sim = await SimHarness.StartAsync(Tiny);
        for (var i = 0; i < 5; i++)
        {
            await sim.AllocateAsync();
        }

        await sim.SendAsync(HttpMethod.Delete, "/v1/ipam/10.20.0.4");
        var again = await sim.AllocateAsync();

        Assert.That(again["address"]!["ipv4"]!.GetValue<string>(), Is.EqualTo("10.20.0.4"));
    }

    [Test]
    public async Task AllocateNext_BothFamiliesButIPv4Full_HandsIPv6Back()
    {
        await using var sim = await SimHarness.StartAsync(o => Tiny(DualStack(o)));
        for (var i = 0; i < 5; i++)
        {
            await sim.AllocateAsync();
        }

        var (status, _) = await sim.SendAsync(HttpMethod.Post, "/v1/ipam");
        var state = await sim.StateAsync();

        Assert.That(status, Is.EqualTo(502));
        Assert.That(state["addresses"]!.AsArray().Select(a => a!["ip"]!.GetValue<string>()), Has.None.Contains(":"));
    }

    [Test]
    public async Task AllocateNext_ManyInParallel_HandsOutDistinctAddresses()
    {
        await using var sim = await SimHarness.StartAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => sim.AllocateAsync()));

        var addresses = answers.Select(a => a["address"]!["ipv4"]!.GetValue<string>()).ToList();
        Assert.That(addresses, Is.Unique.And.Count.EqualTo(40));
    }

    [Test]
    public async Task AllocateIp_FreeAddress_Answers200AndRecordsOwner()
    {
        await using var sim = await SimHarness.StartAsync();

        var (status, body) = await sim.SendAsync(HttpMethod.Post, "/v1/ipam/10.11.3.4?owner=docker-ipam");
        var state = await sim.StateAsync();

        Assert.That((status, body), Is.EqualTo((200, "")));
        Assert.That(state["addresses"]![0]!["owner"]!.GetValue<string>(), Is.EqualTo("docker-ipam"));
    }

    [Test]
    public async Task Release_AllocatedAddress_Answers200AndFreesIt()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync();

        var (status, body) = await sim.SendAsync(HttpMethod.Delete, "/v1/ipam/10.11.0.2");
        var state = await sim.StateAsync();

        Assert.That((status, body), Is.EqualTo((200, "")));
        Assert.That(state["addresses"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Release_AddressNotAllocated_Answers200LikeTheRealAgent()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync();

        var result = await sim.SendAsync(HttpMethod.Delete, "/v1/ipam/10.11.0.9");
        var state = await sim.StateAsync();

        Assert.That(result, Is.EqualTo((200, "")));
        Assert.That(state["addresses"]!.AsArray(), Has.Count.EqualTo(1), "the allocated address is untouched");
    }

}
