using System.Net;
using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;
using CiliumDocker.Ports;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Ports;

/// <summary>Published ports through Docker's calls: ProgramExternalConnectivity publishes, revoke, Leave and
/// DeleteEndpoint unpublish, the janitor repairs.</summary>
internal sealed class PortPublisherTests
{
    private const string OtherEndpoint = "c3d8eaa5ad8aee405cc85bd2383a44c095f2fe142c0e839ea8d6326b47cc07a7";

    private PluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new PluginHarness();

    [TearDown]
    public void TearDown() => _harness.Dispose();

    [Test]
    public async Task Publish_OnePort_MakesAHostPortServiceFromEveryHostAddressToTheContainer()
    {
        var address = await StartContainerAsync();

        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);

        var service = _harness.Model.Services.Services.Single();
        Assert.Multiple(() =>
        {
            Assert.That(service.FrontendAddress, Is.EqualTo(new FrontendAddress { Ip = "0.0.0.0", Port = 8080, Protocol = "tcp", Scope = "external" }));
            Assert.That(service.BackendAddresses, Is.EqualTo(new[] { new BackendAddress { Ip = address, Port = 80 } }));
            Assert.That(service.Flags, Is.EqualTo(new ServiceFlags { Type = "HostPort", Name = "docker-endpoint-b2d8eaa5ad8a", Namespace = "cilium-docker" }));
            Assert.That(service.Id, Is.EqualTo(1));
            Assert.That(_harness.NewPublishedPortTable().Snapshot().Single().State, Is.EqualTo(PublishedPortState.Published), "kept on disk for a restarted plugin");
        });
    }

    [Test]
    public async Task Publish_EndpointOfAnEarlierProcess_TakesTheAddressesFromTheAgent_OrSaysItIsGone()
    {
        var address = await StartContainerAsync();
        var restarted = _harness.RestartedNetwork();

        await restarted.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);
        Assert.That(_harness.Model.Services.Services.Single().BackendAddresses![0].Ip, Is.EqualTo(address));

        _harness.Model.DeleteEndpoint(EndpointIds.DockerEndpoint(DockerRequests.EndpointId));
        var gone = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.RestartedNetwork().ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8090)), CancellationToken.None));

        Assert.That(gone!.Message, Does.Contain("is not registered at the Cilium agent"));
    }

    [Test]
    public async Task Publish_DualStackContainer_OneServicePerFamily()
    {
        _harness.Model.Config = AgentConfigs.DualStack();
        _harness.Config.Set(_harness.Model.Config);
        await StartContainerAsync(dualStack: true);

        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);

        Assert.That(_harness.Model.Services.Services.Select(spec => $"{spec.FrontendAddress.Ip} -> {spec.BackendAddresses![0].Ip}"),
            Is.EquivalentTo(new[] { "0.0.0.0 -> 10.11.0.2", ":: -> fd00:11::2" }));
    }

    [Test]
    public async Task Publish_HostIPAndUdpAndRange_EachAsAsked()
    {
        await StartContainerAsync();
        _harness.HostPorts.Hold(new PortFrontend(PortProtocol.Tcp, IPAddress.Any, 9000));

        await _harness.Network.ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(bindings: [DockerRequests.Binding(80, 8080, hostIP: "127.0.0.1"), DockerRequests.Binding(53, 5353, proto: 17), DockerRequests.Binding(443, 9000, 9005)]),
            CancellationToken.None);

        Assert.That(_harness.Model.Services.Services.Select(spec => $"{spec.FrontendAddress.Ip}:{spec.FrontendAddress.Port}/{spec.FrontendAddress.Protocol} -> {spec.BackendAddresses![0].Port}"),
            Is.EqualTo(new[] { "127.0.0.1:8080/tcp -> 80", "0.0.0.0:5353/udp -> 53", "0.0.0.0:9001/tcp -> 443" }), "9000 is held on the host, so the range gives 9001");
    }

    [Test]
    public async Task Publish_NoHostPort_TakesTheFirstFreeEphemeralPort()
    {
        await StartContainerAsync();
        _harness.HostPorts.Hold(new PortFrontend(PortProtocol.Tcp, IPAddress.Loopback, 49153));

        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 0)), CancellationToken.None);

        Assert.That(_harness.Model.Services.Services.Single().FrontendAddress.Port, Is.EqualTo(49154), "a listener on 127.0.0.1 also holds the wildcard's port");
    }

    [Test]
    public async Task Publish_WildcardOfAFamilyTheContainerLacks_IsSkipped_ANamedAddressIsRefused()
    {
        await StartContainerAsync();

        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: [DockerRequests.Binding(80, 8080, hostIP: "0.0.0.0"), DockerRequests.Binding(80, 8080, hostIP: "::")]), CancellationToken.None);
        Assert.That(_harness.Model.Services.Services.Select(spec => spec.FrontendAddress.Ip), Is.EqualTo(new[] { "0.0.0.0" }));

        var refused = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8081, hostIP: "fd00::1")), CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("[fd00::1]:8081:80/tcp").And.Contain("no address of that family"));
    }

    [Test]
    public async Task Publish_PortOfAnotherContainer_IsRefusedAndNothingOfTheSecondIsMade()
    {
        await StartContainerAsync();
        await StartContainerAsync(OtherEndpoint);
        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);

        var refused = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(OtherEndpoint, DockerRequests.Binding(443, 8443), DockerRequests.Binding(80, 8080, hostIP: "127.0.0.1")), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Is.EqualTo(
                "cannot publish 127.0.0.1:8080:80/tcp: host port 8080 is already taken (published by endpoint b2d8eaa5ad8a as Cilium service 1); choose another host port, or stop what holds it"));
            Assert.That(_harness.Model.Services.Services, Has.Count.EqualTo(1), "8443 of the refused container was not made either");
            Assert.That(_harness.PublishedPorts.OfEndpoint(OtherEndpoint), Is.Empty);
        });
    }

    [Test]
    public async Task Publish_FrontendOfAForeignServiceOrAHostProcess_IsRefused()
    {
        await StartContainerAsync();
        _harness.Model.Services.Upsert(new ServiceSpec { Id = 1, FrontendAddress = new FrontendAddress { Ip = "0.0.0.0", Port = 8080, Protocol = "tcp", Scope = "external" } });
        _harness.HostPorts.Hold(new PortFrontend(PortProtocol.Udp, IPAddress.Any, 5353));

        var foreign = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None));
        var process = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(53, 5353, proto: 17)), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(foreign!.Message, Does.Contain("Cilium service 1 (0.0.0.0:8080) uses it"));
            Assert.That(process!.Message, Does.Contain("5353:53/udp").And.Contain("a process on this host uses it"));
            Assert.That(_harness.Model.Services.Services, Has.Count.EqualTo(1), "only the foreign service");
        });
    }

    [Test]
    public async Task Publish_TcpAndUdpOfOnePort_OneServiceServesBoth_AsTheAgentDoesNotTellThemApart()
    {
        await StartContainerAsync();
        var request = DockerRequests.ExternalConnectivity(bindings: [DockerRequests.Binding(53, 53), DockerRequests.Binding(53, 53, proto: 17)]);

        await _harness.Network.ProgramExternalConnectivityAsync(request, CancellationToken.None);
        await _harness.Network.ProgramExternalConnectivityAsync(request, CancellationToken.None);

        Assert.That(_harness.Model.Services.Services.Select(spec => $"{spec.Id} {spec.FrontendAddress.Port}"), Is.EqualTo(new[] { "1 53" }));
        Assert.That(_harness.PublishedPorts.Snapshot().Single().Requested, Is.EqualTo("53:53/tcp, 53:53/udp"));
        Assert.That(_harness.Agent.Calls.Count(call => call.StartsWith("DeleteService", StringComparison.Ordinal)), Is.Zero, "the repeat is the same request");
    }

    [Test]
    public async Task Publish_OtherProtocolOfATakenPort_IsRefused()
    {
        await StartContainerAsync();
        await StartContainerAsync(OtherEndpoint);
        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);

        var otherContainer = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(OtherEndpoint, DockerRequests.Binding(80, 8080, proto: 17)), CancellationToken.None));
        var otherPort = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(OtherEndpoint, DockerRequests.Binding(80, 9090), DockerRequests.Binding(81, 9090, proto: 17)), CancellationToken.None));

        Assert.That(otherContainer!.Message, Does.Contain("8080:80/udp: host port 8080 is already taken (published by endpoint b2d8eaa5ad8a"));
        Assert.That(otherPort!.Message, Does.Contain("9090:81/udp: host port 9090 is already taken (the container publishes it already, as 9090:80/tcp; Cilium's load balancer does not tell TCP from UDP"));
        Assert.That(_harness.Model.Services.Services, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Publish_ForeignServiceIds_AreSkipped()
    {
        await StartContainerAsync();
        _harness.Model.Services.Upsert(new ServiceSpec { Id = 1, FrontendAddress = new FrontendAddress { Ip = "10.0.0.1", Port = 80, Protocol = "tcp", Scope = "external" } });

        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);

        Assert.That(_harness.Model.Services.Services.Select(spec => spec.Id), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task Publish_AgentFailsTheSecondService_TheFirstIsDeletedAndTheErrorSaysSo()
    {
        await StartContainerAsync();
        _harness.Agent.FailNext("ListServices", status: null);

        var unreachable = Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Network.ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None));
        Assert.That(unreachable!.AgentUnreachable, Is.True, "nothing was made before the agent was asked");

        var upserts = 0;
        _harness.Agent.BeforeCall = (operation, _) => operation == "UpsertService" && ++upserts == 2
            ? throw new CiliumAgentException("the Cilium agent answered 500: boom", AgentFailure.ServerError, 500)
            : Task.CompletedTask;
        var refused = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.ProgramExternalConnectivityAsync(
            DockerRequests.ExternalConnectivity(bindings: [DockerRequests.Binding(80, 8080), DockerRequests.Binding(81, 8081)]), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Message, Does.StartWith("publishing 8081:81/tcp as host port 0.0.0.0:8081/tcp failed, and no port of the container was published: ").And.Contain("boom"));
            Assert.That(_harness.Model.Services.Services, Is.Empty);
            Assert.That(_harness.PublishedPorts.Snapshot(), Is.Empty);
        });
    }

    [Test]
    public async Task Publish_Repeated_KeepsTheServicesAndRestoresOneTheAgentLost()
    {
        await StartContainerAsync();
        var request = DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080));
        await _harness.Network.ProgramExternalConnectivityAsync(request, CancellationToken.None);
        _harness.Model.Services.Forget();

        await _harness.Network.ProgramExternalConnectivityAsync(request, CancellationToken.None);

        Assert.That(_harness.Model.Services.Services.Select(spec => spec.Id), Is.EqualTo(new long[] { 1 }));
        Assert.That(_harness.PublishedPorts.Snapshot(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Publish_AnotherPortMap_ReplacesTheServices()
    {
        await StartContainerAsync();
        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);

        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8090)), CancellationToken.None);

        Assert.That(_harness.Model.Services.Services.Select(spec => spec.FrontendAddress.Port), Is.EqualTo(new[] { 8090 }));
    }

    [TestCase("revoke")]
    [TestCase("leave")]
    [TestCase("delete")]
    public async Task Unpublish_RevokeLeaveOrDeleteEndpoint_DeletesTheServices_AndRepeatsAreHarmless(string call)
    {
        await StartContainerAsync();
        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: [DockerRequests.Binding(80, 8080), DockerRequests.Binding(53, 53, proto: 17)]), CancellationToken.None);

        for (var i = 0; i < 2; i++)
        {
            _ = call switch
            {
                "revoke" => await _harness.Network.RevokeExternalConnectivityAsync(DockerRequests.Endpoint(), CancellationToken.None),
                "leave" => await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None),
                _ => await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None),
            };
        }

        Assert.That(_harness.Model.Services.Services, Is.Empty);
        Assert.That(_harness.NewPublishedPortTable().Snapshot(), Is.Empty);
    }

    [Test]
    public async Task Leave_AgentUnreachable_OwesTheDeletion_AndTheJanitorPaysIt()
    {
        await StartContainerAsync();
        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);
        _harness.Agent.Unreachable = true;

        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        Assert.That(_harness.PublishedPorts.Snapshot().Single().State, Is.EqualTo(PublishedPortState.DeletionOwed));

        _harness.Agent.Unreachable = false;
        await _harness.Ports.RepairAsync(checkEndpoints: false, CancellationToken.None);

        Assert.That(_harness.Model.Services.Services, Is.Empty);
        Assert.That(_harness.PublishedPorts.Snapshot(), Is.Empty);
    }

    [Test]
    public async Task Repair_AfterACrashMidPublish_DeletesWhatTheDeadProcessWasCreating()
    {
        var address = await StartContainerAsync();
        var port = new PublishedPort(5, DockerRequests.EndpointId, "8080:80/tcp", PortProtocol.Tcp, "0.0.0.0", 8080, address, 80, PublishedPortState.Creating);
        _harness.PublishedPorts.Add([port]);
        _harness.Model.Services.Upsert(PortPublisher.ToSpec(port));

        await _harness.Ports.RepairAsync(checkEndpoints: true, CancellationToken.None);

        Assert.That(_harness.Model.Services.Services, Is.Empty);
        Assert.That(_harness.PublishedPorts.Snapshot(), Is.Empty);
    }

    [Test]
    public async Task Repair_FirstRoundAfterStart_DeletesThePortsOfEndpointsTheAgentNoLongerHas()
    {
        await StartContainerAsync();
        await StartContainerAsync(OtherEndpoint);
        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);
        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(OtherEndpoint, DockerRequests.Binding(80, 8081)), CancellationToken.None);
        _harness.Model.DeleteEndpoint(EndpointIds.DockerEndpoint(DockerRequests.EndpointId));

        await _harness.Ports.RepairAsync(checkEndpoints: false, CancellationToken.None);
        Assert.That(_harness.Model.Services.Services, Has.Count.EqualTo(2), "later rounds do not ask about endpoints");

        await _harness.Ports.RepairAsync(checkEndpoints: true, CancellationToken.None);
        Assert.That(_harness.Model.Services.Services.Select(spec => spec.FrontendAddress.Port), Is.EqualTo(new[] { 8081 }));
    }

    [Test]
    public async Task Repair_AgentLostItsServices_CreatesThemAgain()
    {
        await StartContainerAsync();
        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(bindings: DockerRequests.Binding(80, 8080)), CancellationToken.None);
        var before = _harness.Model.Services.Services.Select(Describe).ToList();
        _harness.Model.Services.Forget();

        await _harness.Ports.RepairAsync(checkEndpoints: false, CancellationToken.None);

        Assert.That(_harness.Model.Services.Services.Select(Describe), Is.EqualTo(before));
    }

    [Test]
    public async Task NoPortMap_MakesNoAgentCall()
    {
        await StartContainerAsync();
        var calls = _harness.Agent.Calls.Count;

        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.ExternalConnectivity(), CancellationToken.None);
        await _harness.Network.RevokeExternalConnectivityAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Ports.RepairAsync(checkEndpoints: true, CancellationToken.None);

        Assert.That(_harness.Agent.Calls.Count, Is.EqualTo(calls));
    }

    private static string Describe(ServiceSpec spec) =>
        $"{spec.Id} {spec.FrontendAddress} {string.Join(',', spec.BackendAddresses ?? [])} {spec.Flags}";

    /// <summary>RequestAddress, CreateEndpoint and Join as Docker makes them; returns the IPv4 address.</summary>
    private async Task<string> StartContainerAsync(string endpointId = DockerRequests.EndpointId, bool dualStack = false)
    {
        var pool4 = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(), CancellationToken.None);
        var v4 = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(pool4.PoolId), CancellationToken.None);
        var v6 = string.Empty;
        if (dualStack)
        {
            var pool6 = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(v6: true), CancellationToken.None);
            v6 = (await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(pool6.PoolId), CancellationToken.None)).Address;
        }

        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint(v4.Address, v6, endpointId: endpointId), CancellationToken.None);
        await _harness.Network.JoinAsync(DockerRequests.Join(endpointId, sandboxKey: "/var/run/docker/netns/" + endpointId[..12]), CancellationToken.None);
        return v4.Address.Split('/')[0];
    }
}
