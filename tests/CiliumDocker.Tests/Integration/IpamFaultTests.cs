using System.Text.Json;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Integration;

/// <summary>Address management under agent faults; none of it needs a veth, so it runs everywhere.</summary>
internal sealed class IpamFaultTests : PluginIntegrationTest
{
    [Test]
    public async Task NetworkCreateAndRemove_WithSubnetAndSpecificIp_ReservesThroughTheAgentAndLeavesNothing()
    {
        await StartAsync();
        await WaitForAgentConfigAsync();

        var network = await Docker.CreateNetworkAsync(subnet: "10.11.5.0/24");
        var specific = await Plugin.PostAsync("/IpamDriver.RequestAddress", $$"""{"PoolID":"{{network.IPv4.PoolId}}","Address":"10.11.5.50","Options":null}""", Cancellation);
        var any = await Plugin.PostAsync("/IpamDriver.RequestAddress", $$"""{"PoolID":"{{network.IPv4.PoolId}}","Address":"","Options":null}""", Cancellation);

        Assert.Multiple(() =>
        {
            Assert.That(network.IPv4, Is.EqualTo(new DockerPoolInfo("CiliumPoolv4/10.11.5.0/24", "10.11.5.0/24", "10.11.0.1/32")));
            Assert.That(specific.Body, Is.EqualTo("""{"Address":"10.11.5.50/32"}"""));
            Assert.That(any.Body, Does.StartWith("""{"Address":"10.11.5."""));
            Assert.That(Agent.Requests.Where(request => request.Method == "POST").Select(request => request.RawTarget), Does.Contain("/v1/ipam/10.11.5.50?owner=docker-ipam&pool=default"));
        });

        await Plugin.PostAsync("/IpamDriver.ReleaseAddress", $$"""{"PoolID":"{{network.IPv4.PoolId}}","Address":"10.11.5.50"}""", Cancellation);
        await Plugin.PostAsync("/IpamDriver.ReleaseAddress", $$"""{"PoolID":"{{network.IPv4.PoolId}}","Address":"{{JsonDocument.Parse(any.Body).RootElement.GetProperty("Address").GetString()!.Split('/')[0]}}"}""", Cancellation);
        await Docker.RemoveNetworkAsync(network);

        Assert.That(Agent.Model.Allocations, Is.Empty);
    }

    [Test]
    public async Task RequestPool_IPv6OnIPv4OnlyAgent_FailsClearly()
    {
        await StartAsync();
        await WaitForAgentConfigAsync();

        var error = Assert.ThrowsAsync<DockerCallException>(() => Docker.CreateNetworkAsync(ipv6: true));

        Assert.That(error.PluginMessage, Does.Contain("IPv6 is not enabled in the Cilium agent at " + Agent.SocketPath));
    }

    [Test]
    public async Task CreateEndpoint_NonVethAgent_FailsClearlyAndDockersRollbackLeavesNothing()
    {
        await StartAsync(AgentConfigs.IPv4Only("netkit"));
        await WaitForAgentConfigAsync();
        var network = await Docker.CreateNetworkAsync();

        var error = Assert.ThrowsAsync<DockerCallException>(() => Docker.StartContainerAsync(network));

        Assert.Multiple(() =>
        {
            Assert.That(error.Call, Is.EqualTo("/NetworkDriver.CreateEndpoint"));
            Assert.That(error.PluginMessage, Does.Contain("datapath mode \"netkit\"").And.Contain("only supports \"veth\""));
            Assert.That(Agent.Model.Allocations, Is.Empty);
            Assert.That(Agent.Model.Endpoints, Is.Empty);
        });
    }

    [Test]
    public async Task AgentRestart_BetweenAllocationAndRelease_ReleaseStillSucceeds()
    {
        await StartAsync();
        await WaitForAgentConfigAsync();
        var network = await Docker.CreateNetworkAsync();
        var allocated = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);
        Assert.That(allocated.Status, Is.EqualTo(200));

        await Agent.RestartAsync(loseEndpoints: true);
        var release = await Plugin.PostAsync("/IpamDriver.ReleaseAddress", DockerRequests.ReleaseAddressJson, Cancellation);
        await Docker.RemoveNetworkAsync(network);

        Assert.Multiple(() =>
        {
            Assert.That(release.Status, Is.EqualTo(200));
            Assert.That(Agent.Model.Allocations, Is.Empty);
        });
    }

    [TestCase(500)]
    [TestCase(429)]
    public async Task Allocation_AgentFailsOnce_IsRetriedAndLeavesOneAddress(int status)
    {
        await StartAsync();
        await WaitForAgentConfigAsync();
        Agent.FailNext("POST", "/v1/ipam", FakeAgentResponse.Error(status, "busy"));

        var response = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(200));
            Assert.That(Agent.Model.Allocations, Has.Count.EqualTo(1));
        });
        AssertNoLeakedAddresses();
    }

    [Test]
    public async Task Allocation_AgentKeepsFailing_ClearErrorAndNothingAllocated()
    {
        await StartAsync();
        await WaitForAgentConfigAsync();
        for (var i = 0; i < 20; i++)
        {
            Agent.FailNext("POST", "/v1/ipam", FakeAgentResponse.Error(502, "allocator unavailable"));
        }

        var response = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(500));
            Assert.That(response.Body, Does.Contain("allocator unavailable"));
            Assert.That(Agent.Model.Allocations, Is.Empty);
        });
    }

    [Test]
    public async Task Release_AgentDown_SucceedsAndIsPaidWhenTheAgentIsBack()
    {
        await StartAsync();
        await WaitForAgentConfigAsync();
        await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);

        await Agent.StopAsync();
        var release = await Plugin.PostAsync("/IpamDriver.ReleaseAddress", DockerRequests.ReleaseAddressJson, Cancellation);
        Assert.That(release.Status, Is.EqualTo(200));
        var health = JsonDocument.Parse((await Plugin.GetAsync("/Plugin.Health", Cancellation)).Body);
        Assert.That(health.RootElement.GetProperty("cleanup").GetProperty("pendingAddressReleases").GetInt32(), Is.EqualTo(1));

        await Agent.StartAsync();
        await Eventually.WaitUntilAsync(() => Agent.Model.Allocations.Count == 0, "the agent holds no address", Cancellation);
        Assert.That(Agent.Requests.Count(request => request is { Method: "DELETE", Path: "/v1/ipam/10.11.0.2" }), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task Allocation_SlowAgentWithinBudget_Succeeds()
    {
        await StartAsync();
        await WaitForAgentConfigAsync();
        Agent.Delay = TimeSpan.FromMilliseconds(800);

        var response = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);

        Assert.That(response.Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Allocation_AgentSlowerThanBudget_ClearErrorAndOnlySelfExpiringAddressesRemain()
    {
        await StartAsync(environment: new Dictionary<string, string> { ["RETRY_BUDGET"] = "1" });
        await WaitForAgentConfigAsync();
        Agent.Delay = TimeSpan.FromSeconds(2);

        var response = await Plugin.PostAsync("/IpamDriver.RequestAddress", DockerRequests.RequestAddressJson, Cancellation);

        Assert.Multiple(() =>
        {
            Assert.That(response.Status, Is.EqualTo(500));
            Assert.That(response.Body, Does.Contain(Agent.SocketPath));
        });
        AssertNoLeakedAddresses();
    }

    [Test]
    public async Task SpecificAddress_NeverClaimed_IsReleasedAfterTheClaimTimeout()
    {
        await StartAsync(environment: new Dictionary<string, string> { ["ADDRESS_CLAIM_TIMEOUT"] = "1" });
        await WaitForAgentConfigAsync();

        var response = await Plugin.PostAsync("/IpamDriver.RequestAddress", """{"PoolID":"CiliumPoolv4/10.11.5.0/24","Address":"10.11.5.7","Options":null}""", Cancellation);
        Assert.That(response.Status, Is.EqualTo(200));
        Assert.That(Agent.Model.Allocations, Has.Count.EqualTo(1));

        await Eventually.WaitUntilAsync(() => Agent.Model.Allocations.Count == 0, "the agent holds no address", Cancellation);
    }

    [Test]
    public async Task SpecificAddress_ReservationSurvivesPluginCrash_AndIsReleasedByTheSuccessor()
    {
        await StartAsync(environment: new Dictionary<string, string> { ["ADDRESS_CLAIM_TIMEOUT"] = "2" });
        await WaitForAgentConfigAsync();
        await Plugin.PostAsync("/IpamDriver.RequestAddress", """{"PoolID":"CiliumPoolv4/10.11.5.0/24","Address":"10.11.5.8","Options":null}""", Cancellation);
        var directory = Plugin.Directory;
        await Plugin.KillAsync();

        await using var successor = PluginProcess.Start(Agent.Uri, directory, new Dictionary<string, string> { ["ADDRESS_CLAIM_TIMEOUT"] = "2" });
        await successor.WaitUntilServingAsync(Cancellation);

        await Eventually.WaitUntilAsync(() => Agent.Model.Allocations.Count == 0, "the agent holds no address", Cancellation);
    }
}
