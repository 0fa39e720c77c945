using System.Net;
using AgentContract.Tests.Support;

namespace AgentContract.Tests.Endpoints;

/// <summary>What happens to an endpoint after it exists: labels, state, deletion and the addresses it holds.</summary>
[TestFixtureSource(typeof(AgentTargets), nameof(AgentTargets.All))]
internal sealed class EndpointLifecycleContract(AgentKind kind) : ContractFixture(kind)
{
    [Test]
    public async Task Patch_Labels_ReplaceTheIdentityLabels()
    {
        var veth = await CreateVethAsync();
        var (ip, uuid) = await AllocateWithExpirationAsync();
        var dockerEndpointId = NewDockerId();
        await CreateEndpointAsync(EndpointRequest(veth, ip, uuid, dockerEndpointId));
        var handle = $"docker-endpoint:{dockerEndpointId}";
        var before = await PatchLabelsAsync(handle, "container:id=before");

        var patch = await PatchLabelsAsync(handle, "container:id=after", "container:tier=contract");

        // The agent resolves the new identity after it answered the PATCH (through the kvstore on the real one).
        var get = await Agent.GetEndpointAsync(handle);
        for (var wait = 0; wait < 100 && IdentityLabels(get.Json).Contains("container:id=before"); wait++)
        {
            await Task.Delay(200);
            get = await Agent.GetEndpointAsync(handle);
        }

        Assert.That(before.Status, Is.EqualTo(HttpStatusCode.OK), before.ToString());
        Assert.That(patch.Status, Is.EqualTo(HttpStatusCode.OK), patch.ToString());
        Assert.That(IdentityLabels(get.Json), Is.SupersetOf(new[] { "container:id=after", "container:tier=contract" }).And.Not.Contain("container:id=before"));
    }

    [Test]
    public async Task Patch_InvalidState_Is422FromTheApiLayer()
    {
        var veth = await CreateVethAsync();
        var (ip, uuid) = await AllocateWithExpirationAsync();
        var id = await CreateEndpointAsync(EndpointRequest(veth, ip, uuid, NewDockerId()));

        var patch = await Agent.PatchEndpointAsync(id, """{"state":"bogus"}""");

        Assert.That(patch.Code, Is.EqualTo(422), patch.ToString());
        Assert.That(patch.Json.StringAt("message"), Does.Contain("state"));
        Assert.That(patch.Json.Has("code"), Is.True, patch.Body);
    }

    [Test]
    public async Task Patch_Unknown_Is404()
    {
        var patch = await PatchLabelsAsync($"docker-endpoint:{NewDockerId()}", "container:id=x");

        Assert.That(patch.Status, Is.EqualTo(HttpStatusCode.NotFound), patch.ToString());
    }

    [Test]
    public async Task Delete_ReleasesTheEndpointsAddress()
    {
        var veth = await CreateVethAsync();
        var (ip, uuid) = await AllocateWithExpirationAsync();
        var id = await CreateEndpointAsync(EndpointRequest(veth, ip, uuid, NewDockerId()));

        var delete = await Agent.DeleteEndpointAsync(id);
        var again = await Agent.AllocateAsync(ip);
        Defer(async () => await Agent.ReleaseAsync(ip));

        Assert.That(delete.Status, Is.EqualTo(HttpStatusCode.OK), delete.ToString());
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), $"the address is free once its endpoint is gone: {again}");
    }

    [Test]
    public async Task Release_AddressHeldByAnEndpoint_Is500()
    {
        var veth = await CreateVethAsync();
        var (ip, uuid) = await AllocateWithExpirationAsync();
        var id = await CreateEndpointAsync(EndpointRequest(veth, ip, uuid, NewDockerId()));

        var release = await Agent.ReleaseAsync(ip);

        release.AssertError(500, $"IP is in use by endpoint {id}");
    }

    [Test]
    public async Task Unknown_GetIs404WithoutBody_DeleteIs404EndpointNotFound()
    {
        var handle = $"docker-endpoint:{NewDockerId()}";

        var get = await Agent.GetEndpointAsync(handle);
        var delete = await Agent.DeleteEndpointAsync(handle);
        var deleteNumeric = await Agent.DeleteEndpointAsync("3998");

        Assert.Multiple(() =>
        {
            Assert.That(get.Status, Is.EqualTo(HttpStatusCode.NotFound), get.ToString());
            Assert.That(get.Body, Is.Empty);
            Assert.That(delete.Status, Is.EqualTo(HttpStatusCode.NotFound), delete.ToString());
            Assert.That(delete.ErrorText, Is.EqualTo("endpoint not found"));
            Assert.That(deleteNumeric.Status, Is.EqualTo(HttpStatusCode.NotFound), deleteNumeric.ToString());
            Assert.That(deleteNumeric.ErrorText, Is.EqualTo("endpoint not found"));
        });
    }
}
