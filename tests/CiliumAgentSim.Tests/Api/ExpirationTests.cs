using System.Text.Json.Nodes;
using CiliumAgentSim.Tests.Support;

namespace CiliumAgentSim.Tests.Api;

/// <summary>Address expiration, driven by the harness's fake clock (600 s default timeout).</summary>
[CancelAfter(30_000)]
internal sealed class ExpirationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [Test]
    public async Task Expiration_TimeoutPassesUnclaimed_ReleasesAddress()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync(expiration: true);

        sim.Time.Advance(Timeout - TimeSpan.FromSeconds(1));
        var before = await sim.StateAsync();
        sim.Time.Advance(TimeSpan.FromSeconds(1));
        var after = await sim.StateAsync();

        Assert.That(before["addresses"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(after["addresses"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Expiration_NoHeader_NeverExpires()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync(expiration: false);

        sim.Time.Advance(Timeout * 10);

        Assert.That((await sim.StateAsync())["addresses"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Expiration_EndpointWithBareIpAndUuid_StopsTimer()
    {
        await using var sim = await SimHarness.StartAsync();
        var allocation = await sim.AllocateAsync(expiration: true);
        var uuid = allocation["ipv4"]!["expiration-uuid"]!.GetValue<string>();

        var (status, _) = await sim.PutEndpointAsync(
            $$$"""{"state":"waiting-for-identity","addressing":{"ipv4":"10.11.0.2","ipv4-expiration-uuid":"{{{uuid}}}"}}""");
        sim.Time.Advance(Timeout * 2);
        var state = await sim.StateAsync();

        Assert.That(status, Is.EqualTo(201));
        Assert.That(state["addresses"]![0]!["ip"]!.GetValue<string>(), Is.EqualTo("10.11.0.2"));
        Assert.That(state["addresses"]![0]!.AsObject().ContainsKey("expirationUuid"), Is.False);
    }

    [Test]
    public async Task Expiration_EndpointWithCidrAndUuid_DoesNotStopTimer()
    {
        await using var sim = await SimHarness.StartAsync();
        var allocation = await sim.AllocateAsync(expiration: true);
        var uuid = allocation["ipv4"]!["expiration-uuid"]!.GetValue<string>();

        var (status, _) = await sim.PutEndpointAsync(
            $$$"""{"state":"waiting-for-identity","addressing":{"ipv4":"10.11.0.2/32","ipv4-expiration-uuid":"{{{uuid}}}"}}""");
        sim.Time.Advance(Timeout);
        var state = await sim.StateAsync();

        Assert.That(status, Is.EqualTo(201));
        Assert.That(state["addresses"]!.AsArray(), Is.Empty, "the agent parses the address with ParseIP: a prefix does not match");
        Assert.That(state["unallocatedEndpointAddresses"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { "10.11.0.2" }));
    }

    [Test]
    public async Task Expiration_WrongUuid_Put500AndEndpointRemoved()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.AllocateAsync(expiration: true);

        var (status, body) = await sim.PutEndpointAsync(
            """{"state":"waiting-for-identity","docker-endpoint-id":"e1","addressing":{"ipv4":"10.11.0.2","ipv4-expiration-uuid":"00000000-0000-0000-0000-000000000000"}}""");
        var state = await sim.StateAsync();

        Assert.That(status, Is.EqualTo(500));
        Assert.That(JsonNode.Parse(body)!.GetValue<string>(), Does.Contain("UUID mismatch"));
        Assert.That(state["endpoints"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Expiration_AlreadyExpired_PutWithUuidAnswers500()
    {
        await using var sim = await SimHarness.StartAsync();
        var allocation = await sim.AllocateAsync(expiration: true);
        var uuid = allocation["ipv4"]!["expiration-uuid"]!.GetValue<string>();
        sim.Time.Advance(Timeout);

        var (status, body) = await sim.PutEndpointAsync(
            $$$"""{"state":"waiting-for-identity","addressing":{"ipv4":"10.11.0.2","ipv4-expiration-uuid":"{{{uuid}}}"}}""");

        Assert.That(status, Is.EqualTo(500));
        Assert.That(JsonNode.Parse(body)!.GetValue<string>(), Does.Contain("no expiration timer"));
    }

    [Test]
    public async Task Expiration_ReleasedThenReallocated_OldTimerDoesNotFreeNewOwner()
    {
        await using var sim = await SimHarness.StartAsync(o => o with { IPv4Range = CiliumAgentSim.State.Cidr.TryParse("10.30.0.0/30", out var c) ? c : null });
        await sim.AllocateAsync(expiration: true);
        await sim.SendAsync(HttpMethod.Delete, "/v1/ipam/10.30.0.2");
        var again = await sim.AllocateAsync(expiration: false);

        sim.Time.Advance(Timeout);
        var state = await sim.StateAsync();

        Assert.That(again["address"]!["ipv4"]!.GetValue<string>(), Is.EqualTo("10.30.0.2"));
        Assert.That(state["addresses"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Expiration_ShortTimeoutOption_ExpiresAfterConfiguredSeconds()
    {
        await using var sim = await SimHarness.StartAsync(o => o with { Expiration = TimeSpan.FromSeconds(3) });
        await sim.AllocateAsync(expiration: true);

        sim.Time.Advance(TimeSpan.FromSeconds(3));

        Assert.That((await sim.StateAsync())["addresses"]!.AsArray(), Is.Empty);
    }
}
