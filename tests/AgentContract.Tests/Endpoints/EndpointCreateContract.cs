using System.Net;
using AgentContract.Tests.Support;

namespace AgentContract.Tests.Endpoints;

/// <summary><c>PUT /v1/endpoint/{id}</c> as the plugin sends it at CreateEndpoint, and what the agent refuses.</summary>
[TestFixtureSource(typeof(AgentTargets), nameof(AgentTargets.All))]
internal sealed class EndpointCreateContract(AgentKind kind) : ContractFixture(kind)
{
    [Test]
    public async Task Put_WithTheAllocationsUuid_BuildsAReadyEndpoint()
    {
        var veth = await CreateVethAsync();
        var (ip, uuid) = await AllocateWithExpirationAsync();
        var dockerEndpointId = NewDockerId();
        var request = EndpointRequest(veth, ip, uuid, dockerEndpointId);
        DeleteEndpointsAfterTest(veth.HostName);

        var put = await Agent.PutEndpointAsync(CreatePath, request.ToJsonString());
        var get = await Agent.GetEndpointAsync($"docker-endpoint:{dockerEndpointId}");

        Assert.Multiple(() =>
        {
            Assert.That(put.Status, Is.EqualTo(HttpStatusCode.Created), put.ToString());
            if (Agent.PutAnswersEndpoint)
            {
                Assert.That(put.Json.StringAt("status", "external-identifiers", "docker-endpoint-id"), Is.EqualTo(dockerEndpointId));
            }
            else
            {
                Assert.That(put.Body, Is.Empty, "1.10 answers the PUT without a body");
            }

            Assert.That(get.Status, Is.EqualTo(HttpStatusCode.OK), get.ToString());
            Assert.That(get.Json.StringAt("status", "state"), Is.EqualTo("ready"), "a sync build answers when the endpoint is ready");
            Assert.That(get.Json.GetProperty("status").GetProperty("networking").GetProperty("addressing")[0].StringAt("ipv4"), Is.EqualTo(ip));
            Assert.That(get.Json.StringAt("status", "networking", "interface-name"), Is.EqualTo(veth.HostName));
            Assert.That(get.Json.StringAt("status", "external-identifiers", "docker-endpoint-id"), Is.EqualTo(dockerEndpointId));
        });
    }

    [Test]
    public async Task Put_UuidOfAnotherAllocation_Is500AndLeavesNoEndpoint()
    {
        var veth = await CreateVethAsync();
        var (ip, _) = await AllocateWithExpirationAsync();
        DeleteEndpointsAfterTest(veth.HostName);

        var put = await Agent.PutEndpointAsync(CreatePath, EndpointRequest(veth, ip, Guid.NewGuid().ToString(), NewDockerId()).ToJsonString());

        Assert.That(put.Code, Is.EqualTo(500), put.ToString());
        Assert.That(put.ErrorText, Does.Contain("UUID mismatch"));
        Assert.That(await EndpointIdsOnAsync(veth.HostName), Is.Empty);
    }

    [Test]
    public async Task Put_AddressOfAnotherEndpoint_Is400()
    {
        var first = await CreateVethAsync();
        var second = await CreateVethAsync();
        var (ip, uuid) = await AllocateWithExpirationAsync();
        await CreateEndpointAsync(EndpointRequest(first, ip, uuid, NewDockerId()));
        DeleteEndpointsAfterTest(second.HostName);

        var put = await Agent.PutEndpointAsync(CreatePath, EndpointRequest(second, ip, null, NewDockerId()).ToJsonString());

        Assert.That(put.Code, Is.EqualTo(400), put.ToString());
        Assert.That(await EndpointIdsOnAsync(second.HostName), Is.Empty);
    }

    /// <summary>The agent does not look at <c>docker-endpoint-id</c> when it creates: the plugin must not expect a 409.</summary>
    [Test]
    public async Task Put_SameDockerEndpointIdTwice_CreatesBoth()
    {
        var first = await CreateVethAsync();
        var second = await CreateVethAsync();
        var (ip1, uuid1) = await AllocateWithExpirationAsync();
        var (ip2, uuid2) = await AllocateWithExpirationAsync();
        var dockerEndpointId = NewDockerId();
        await CreateEndpointAsync(EndpointRequest(first, ip1, uuid1, dockerEndpointId));
        DeleteEndpointsAfterTest(second.HostName);

        var put = await Agent.PutEndpointAsync(CreatePath, EndpointRequest(second, ip2, uuid2, dockerEndpointId).ToJsonString());

        Assert.That(put.Status, Is.EqualTo(HttpStatusCode.Created), put.ToString());
        Assert.That(await EndpointIdsOnAsync(second.HostName), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Put_BodyNamingAnEndpointId_Is500()
    {
        var veth = await CreateVethAsync();
        var (ip, uuid) = await AllocateWithExpirationAsync();
        var request = EndpointRequest(veth, ip, uuid, NewDockerId());
        request["id"] = 3999;
        DeleteEndpointsAfterTest(veth.HostName);

        var put = await Agent.PutEndpointAsync("3999", request.ToJsonString());

        put.AssertError(500, "unable to insert endpoint into manager: Endpoint ID is already set to 3999");
    }
}
