using System.Text.Json;
using CiliumDocker.Protocol;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Protocol;

/// <summary>The call sequences of engines newer than 20.10 (moby 27–29), message by message as they send them.</summary>
internal sealed class EngineSequenceTests
{
    private PluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new PluginHarness(AgentConfigs.DualStack());

    [TearDown]
    public void TearDown() => _harness.Dispose();

    [Test]
    public async Task IPv6OnlyNetwork_Docker28_NoIPv4PoolOrAddress_JoinAnswersOnlyTheIPv6Gateway()
    {
        // --ipv4=false: no IPv4 RequestPool or RequestAddress, IPv4Data is [], Interface.Address is "".
        var pool6 = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(v6: true), CancellationToken.None);
        _harness.Network.CreateNetwork(new CreateNetworkRequest
        {
            NetworkId = DockerRequests.NetworkId,
            Options = new() { ["com.docker.network.enable_ipv4"] = JsonDocument.Parse("false").RootElement },
            IPv4Data = [],
            IPv6Data = [new IpamData { AddressSpace = "CiliumLocal", Pool = pool6.Pool, Gateway = pool6.Data[IpamDriver.GatewayDataKey] }],
        });
        var v6 = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(pool6.PoolId), CancellationToken.None);

        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint(address: "", addressIPv6: v6.Address), CancellationToken.None);
        var join = await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(join.Gateway, Is.Null);
            Assert.That(join.GatewayIPv6, Is.EqualTo(AgentConfigs.RouterIPv6));
            Assert.That(join.StaticRoutes!.Select(route => route.Destination), Has.All.Contains(':'), "IPv6 routes only");
            Assert.That(_harness.Agent.Calls.Where(call => call.StartsWith("AllocateNext", StringComparison.Ordinal)), Is.EqualTo(new[] { "AllocateNext IPv6 docker-ipam expiration=True" }));
        });
    }

    [Test]
    public async Task DualStackNetwork_ContainerWithIPv6Disabled_Docker28_JoinAnswersNoIPv6Gateway()
    {
        // Docker 28 requests no IPv6 address for such a container, and drops a GatewayIPv6 it is given anyway.
        var pool4 = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(), CancellationToken.None);
        var v4 = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(pool4.PoolId), CancellationToken.None);

        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint(v4.Address), CancellationToken.None);
        var join = await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(join.Gateway, Is.EqualTo(AgentConfigs.RouterIPv4));
            Assert.That(join.GatewayIPv6, Is.Null);
        });
    }

    [Test]
    public async Task RequestAddress_WithTheEndpointNameOption_Docker29_AllocatesAsWithout()
    {
        var pool4 = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(), CancellationToken.None);
        var options = new Dictionary<string, string>(StringComparer.Ordinal) { ["com.docker.network.endpoint.name"] = "app1" };

        var answer = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(pool4.PoolId, options: options), CancellationToken.None);

        Assert.That(answer.Address, Does.StartWith("10.").And.EndsWith("/32"));
    }

    [Test]
    public async Task ExternalConnectivity_RepeatedAndAfterDeleteEndpoint_Docker28And29_AnswersEveryTimeAndHoldsNothing()
    {
        var pool4 = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(), CancellationToken.None);
        var v4 = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(pool4.PoolId), CancellationToken.None);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint(v4.Address), CancellationToken.None);
        await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        // 28 re-sends Program/Revoke for one endpoint; 29 may send Revoke late, or never after a plugin restart.
        var answers = new[]
        {
            await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.Endpoint(), CancellationToken.None),
            await _harness.Network.RevokeExternalConnectivityAsync(DockerRequests.Endpoint(), CancellationToken.None),
            await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.Endpoint(), CancellationToken.None),
        };
        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);
        var afterDelete = await _harness.Network.RevokeExternalConnectivityAsync(DockerRequests.Endpoint(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(answers, Has.All.SameAs(EmptyResponse.Instance));
            Assert.That(afterDelete, Is.SameAs(EmptyResponse.Instance));
            Assert.That(_harness.Model.Endpoints, Is.Empty, "Leave/DeleteEndpoint clean up without waiting for a revoke");
        });
    }
}
