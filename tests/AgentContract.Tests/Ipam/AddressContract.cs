using System.Net;
using AgentContract.Tests.Support;

namespace AgentContract.Tests.Ipam;

/// <summary><c>POST|DELETE /v1/ipam/{ip}</c>: every refusal is a 500 with the allocator's words.</summary>
[TestFixtureSource(typeof(AgentTargets), nameof(AgentTargets.All))]
internal sealed class AddressContract(AgentKind kind) : ContractFixture(kind)
{
    [Test]
    public async Task Allocate_FreeAddress_IsOkWithoutBody()
    {
        var ip = await FreeAddressAsync();
        var answer = await Agent.AllocateAsync(ip);
        Defer(async () => await Agent.ReleaseAsync(ip));

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body, Is.Empty);
    }

    [Test]
    public async Task Allocate_Taken_Is500()
    {
        var (ip, _) = await AllocateWithExpirationAsync();
        var answer = await Agent.AllocateAsync(ip);

        answer.AssertError(500, "provided IP is already allocated");
    }

    [Test]
    public async Task Allocate_NotAnAddress_Is500()
    {
        var answer = await Agent.AllocateAsync("bogus");

        answer.AssertError(500, "Invalid IP address: bogus");
    }

    [Test]
    public async Task Allocate_OutsideTheNodeRange_Is500()
    {
        var answer = await Agent.AllocateAsync("10.12.0.9");

        answer.AssertError(500, $"provided IP is not in the valid range. The range of valid IPs is {AgentTarget.NodeRange}");
    }

    [Test]
    public async Task Allocate_DisabledFamily_Is500()
    {
        var answer = await Agent.AllocateAsync("f00d::9");

        answer.AssertError(500, "IPv6 allocation disabled");
    }

    [Test]
    public async Task Release_Allocated_FreesIt()
    {
        var (ip, _) = await AllocateWithExpirationAsync();

        Assert.That((await Agent.ReleaseAsync(ip)).Status, Is.EqualTo(HttpStatusCode.OK));
        var again = await Agent.AllocateAsync(ip);
        Defer(async () => await Agent.ReleaseAsync(ip));
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), again.ToString());
    }

    [Test]
    public async Task Release_NotAllocated_IsOk()
    {
        var ip = await FreeAddressAsync();
        var answer = await Agent.ReleaseAsync(ip);

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());
        Assert.That(answer.Body, Is.Empty);
    }

    [Test]
    public async Task Release_NotAnAddress_Is500()
    {
        var answer = await Agent.ReleaseAsync("bogus");

        answer.AssertError(500, "Invalid IP address or owner name: bogus");
    }

    [Test]
    public async Task Release_DisabledFamily_Is500()
    {
        var answer = await Agent.ReleaseAsync("f00d::9");

        answer.AssertError(500, "IPv6 allocation disabled");
    }

    /// <summary>Cilium 1.14 made <c>pool</c> required on the address routes; earlier agents ignore its absence.</summary>
    [Test]
    public async Task WithoutPool_OnlyLaterAgentsRefuse()
    {
        var ip = await FreeAddressAsync();
        var allocate = await Agent.SendAsync(HttpMethod.Post, $"/v1/ipam/{ip}?owner=agent-contract");
        var release = await Agent.SendAsync(HttpMethod.Delete, $"/v1/ipam/{ip}");
        Defer(async () => await Agent.ReleaseAsync(ip));

        if (Agent.RequiresPool)
        {
            allocate.AssertError(500, "no IPAM pool provided");
            release.AssertError(500, "no IPAM pool provided");
        }
        else
        {
            Assert.That(allocate.Status, Is.EqualTo(HttpStatusCode.OK), allocate.ToString());
            Assert.That(release.Status, Is.EqualTo(HttpStatusCode.OK), release.ToString());
        }
    }

    [Test]
    public async Task WithPool_EveryAgentAccepts()
    {
        var ip = await FreeAddressAsync();
        var allocate = await Agent.SendAsync(HttpMethod.Post, $"/v1/ipam/{ip}?owner=agent-contract&pool=default");
        var release = await Agent.SendAsync(HttpMethod.Delete, $"/v1/ipam/{ip}?pool=default");

        Assert.That(allocate.Status, Is.EqualTo(HttpStatusCode.OK), allocate.ToString());
        Assert.That(release.Status, Is.EqualTo(HttpStatusCode.OK), release.ToString());
    }
}
