using System.Net;
using System.Text.Json;
using CiliumDocker.Agent;
using CiliumDocker.Datapath;
using CiliumDocker.Endpoints;
using CiliumDocker.Infrastructure;
using CiliumDocker.Protocol;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Protocol;

[CancelAfter(10_000)]
internal sealed class NetworkDriverTests
{
    private const string EndpointId = DockerRequests.EndpointId;
    private const string OtherEndpointId = "5b3cf7c86e7fe0c04f7c0e3f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b";
    private PluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new PluginHarness();

    [TearDown]
    public void TearDown() => _harness.Dispose();

    [Test]
    public void GetCapabilities_Always_LocalScope()
    {
        var capabilities = NetworkDriver.GetCapabilities();

        Assert.That((capabilities.Scope, capabilities.ConnectivityScope), Is.EqualTo(("local", "local")));
    }

    [Test]
    public void CreateNetwork_DockerRequest_SucceedsWithoutAgentCall()
    {
        var request = JsonSerializer.Deserialize(DockerRequests.CreateNetworkJson, DockerJsonContext.Default.CreateNetworkRequest)!;

        var answer = _harness.Network.CreateNetwork(request);

        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.SameAs(EmptyResponse.Instance));
            Assert.That(_harness.Agent.Calls, Is.Empty);
        });
    }

    [Test]
    public void CreateNetwork_PoolFromAnotherIpamDriver_FailsNamingTheFix()
    {
        var request = new CreateNetworkRequest
        {
            NetworkId = DockerRequests.NetworkId,
            IPv4Data = [new IpamData { AddressSpace = "LocalDefault", Pool = "172.18.0.0/16", Gateway = "172.18.0.1/16" }],
        };

        var error = Assert.Throws<RequestRefusedException>(() => _harness.Network.CreateNetwork(request));

        Assert.That(error.Message, Does.Contain("--ipam-driver"));
    }

    [Test]
    public void CreateNetwork_MissingNetworkId_Fails()
    {
        Assert.Throws<RequestRefusedException>(() => _harness.Network.CreateNetwork(new CreateNetworkRequest()));
    }

    [Test]
    public async Task CreateEndpoint_AfterExpiringAllocation_RegistersEndpointWithBareIpAndUuid()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        var uuid = _harness.Model.Allocations[IPAddress.Parse("10.11.0.2")].Uuid;
        var request = JsonSerializer.Deserialize(DockerRequests.CreateEndpointJson, DockerJsonContext.Default.CreateEndpointRequest)!;

        var answer = await _harness.Network.CreateEndpointAsync(request, CancellationToken.None);

        var veth = _harness.Datapath.Created.Single();
        var registered = _harness.Model.Endpoints.Single().Request;
        Assert.Multiple(() =>
        {
            Assert.That(veth, Is.EqualTo(new VethRequest(EndpointId, null, 1500, new OffloadSizes(65536, 65536, 0, 0))));
            Assert.That(registered.SyncBuildEndpoint, Is.True);
            Assert.That(registered.State, Is.EqualTo("waiting-for-identity"));
            Assert.That(registered.DockerEndpointId, Is.EqualTo(EndpointId));
            Assert.That(registered.DockerNetworkId, Is.EqualTo(DockerRequests.NetworkId));
            Assert.That(registered.Addressing!.IPv4, Is.EqualTo("10.11.0.2"));
            Assert.That(registered.Addressing.IPv4ExpirationUuid, Is.EqualTo(uuid).And.Not.Null);
            Assert.That(registered.InterfaceName, Is.EqualTo(VethNames.Host(EndpointId)));
            Assert.That(registered.InterfaceIndex, Is.EqualTo(100));
            Assert.That(registered.Mac, Is.EqualTo("d2:00:00:00:00:64"));
            Assert.That(registered.HostMac, Is.EqualTo("8a:00:00:00:00:64"));
            Assert.That(answer.Interface!.MacAddress, Is.EqualTo("d2:00:00:00:00:64"));
            Assert.That(_harness.Model.Allocations[IPAddress.Parse("10.11.0.2")].ExpiresAt, Is.Null, "the agent's timer is stopped");
            Assert.That(_harness.Ledger.ExpiringCount, Is.Zero);
            Assert.That(_harness.Metrics.EndpointsCreated, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task CreateEndpoint_ReservedAddress_SendsItBareAndClaimsTheReservation()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4/10.11.5.0/24", "10.11.5.50"), CancellationToken.None);

        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.5.50/32"), CancellationToken.None);
        _harness.Time.Advance(PluginHarness.ClaimTimeout);
        await _harness.RunJanitorsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Endpoints.Single().Request.Addressing!.IPv4, Is.EqualTo("10.11.5.50"));
            Assert.That(_harness.Model.Allocations.Keys, Does.Contain(IPAddress.Parse("10.11.5.50")), "a claimed address is not released by the janitor");
        });
    }

    [Test]
    public async Task RunningContainer_OutlivesTheAgentsExpiration_KeepsItsAddress()
    {
        // Docker sends the address with its prefix; the agent stops the timer only for the bare IP plus the UUID
        // of the allocation, or it frees the address of a running container after 10 minutes.
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        var request = JsonSerializer.Deserialize(DockerRequests.CreateEndpointJson, DockerJsonContext.Default.CreateEndpointRequest)!;
        await _harness.Network.CreateEndpointAsync(request, CancellationToken.None);

        _harness.Time.Advance(AgentModel.Expiration + TimeSpan.FromMinutes(1));
        _harness.Model.ExpireDue();
        var next = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Allocations.Keys, Does.Contain(IPAddress.Parse("10.11.0.2")));
            Assert.That(next.Address, Is.Not.EqualTo("10.11.0.2/32"), "the next container gets another address");
        });
    }

    [Test]
    public async Task ContainerLifecycle_ReleaseAfterTheEndpointIsGone_DoesNotAskTheAgent()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);

        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.2"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Agent.Calls, Has.None.StartsWith("Release "), "the agent released it with the endpoint");
            Assert.That(_harness.Model.Allocations, Is.Empty);
        });
    }

    [Test]
    public async Task Release_OfAddressTheAgentGaveToTheNextContainerMeanwhile_LeavesItToThatContainer()
    {
        // The agent frees the address at endpoint deletion; before Docker's release arrives, the next container's
        // RequestAddress may get the same address.
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);
        var next = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);

        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.2"), CancellationToken.None);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32", endpointId: OtherEndpointId), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(next.Address, Is.EqualTo("10.11.0.2/32"));
            Assert.That(_harness.Model.Allocations[IPAddress.Parse("10.11.0.2")].ExpiresAt, Is.Null, "held by the next container's endpoint");
            Assert.That(_harness.Model.Endpoints.Single().DockerEndpointId, Is.EqualTo(OtherEndpointId));
        });
    }

    [Test]
    public async Task CreateEndpoint_RepeatedByDocker_RegistersAgainAndKeepsTheAddress()
    {
        // The agent has no duplicate check on docker-endpoint-id: the repeat is refused because the first
        // registration holds the address, and deleting that registration releases the address at the agent.
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);

        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        _harness.Time.Advance(AgentModel.Expiration + TimeSpan.FromMinutes(1));
        _harness.Model.ExpireDue();
        await _harness.RunJanitorsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Endpoints.Single().DockerEndpointId, Is.EqualTo(EndpointId));
            Assert.That(_harness.Model.Allocations.Keys, Is.EqualTo(new[] { IPAddress.Parse("10.11.0.2") }));
        });
    }

    [Test]
    public async Task CreateEndpoint_AgentRestartedSinceTheAllocation_ReservesTheAddressAgain()
    {
        // The agent keeps expiration timers and bare allocations in memory only.
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        _harness.Model.Restart(loseEndpoints: false);

        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Endpoints.Single().Addresses, Is.EqualTo(new[] { IPAddress.Parse("10.11.0.2") }));
            Assert.That(_harness.Model.Allocations[IPAddress.Parse("10.11.0.2")].ExpiresAt, Is.Null);
        });
    }

    [Test]
    public async Task CreateEndpoint_AddressGivenToAnotherContainerSinceItExpired_FailsWithoutTouchingIt()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        _harness.Time.Advance(AgentModel.Expiration);
        _harness.Model.ExpireDue();
        _harness.Model.Allocate("10.11.0.2", "someone");

        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("10.11.0.2 is no longer held for this container").And.Contain("provided IP is already allocated"));
            Assert.That(_harness.Model.Allocations[IPAddress.Parse("10.11.0.2")].Owner, Is.EqualTo("someone"));
            Assert.That(_harness.Model.Endpoints, Is.Empty);
            Assert.That(_harness.Datapath.Existing, Is.Empty);
        });
    }

    [Test]
    public async Task CreateEndpoint_AnswerLostAfterTheAgentCreatedIt_DockersReleaseDoesNotReachTheAgent()
    {
        // Undoing the creation deletes the endpoint the agent did create, which releases its address there.
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        _harness.Agent.AfterCall = operation =>
        {
            if (operation == "CreateEndpoint")
            {
                throw new CiliumAgentException("connection reset while reading the answer", AgentFailure.NoAnswer);
            }
        };
        Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None));
        _harness.Agent.AfterCall = null;

        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.2"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Agent.Calls, Has.None.StartsWith("Release "));
            Assert.That(_harness.Model.Allocations, Is.Empty);
            Assert.That(_harness.Model.Endpoints, Is.Empty);
        });
    }

    [Test]
    public async Task CreateEndpoint_DockerChoseTheMac_PassesItOnAndEchoesNothing()
    {
        var answer = await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32", mac: "02:42:0A:0B:00:02"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Datapath.Created.Single().ContainerMac, Is.EqualTo("02:42:0a:0b:00:02"));
            Assert.That(answer.Interface, Is.Null);
        });
    }

    [Test]
    public async Task CreateEndpoint_DualStack_RegistersBothAddresses()
    {
        _harness.Model.Config = AgentConfigs.DualStack();
        _harness.Config.Set(_harness.Model.Config);

        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32", "fd00:11::2/128"), CancellationToken.None);

        var addressing = _harness.Model.Endpoints.Single().Request.Addressing!;
        Assert.That((addressing.IPv4, addressing.IPv6), Is.EqualTo(("10.11.0.2", "fd00:11::2")));
    }

    [TestCase("")]
    [TestCase("ABCDEF")]
    [TestCase("a/b")]
    [TestCase("..")]
    [TestCase("../../etc/passwd")]
    [TestCase("abc def")]
    [TestCase("abc;reboot")]
    [TestCase("$(reboot)")]
    [TestCase("`id`")]
    [TestCase("abc\nxyz")]
    [TestCase(".hidden")]
    [TestCase("-rf")]
    public void CreateEndpoint_BadEndpointId_FailsWithoutTouchingAnything(string endpointId)
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32", endpointId: endpointId), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("EndpointID"));
            Assert.That(_harness.Datapath.Created, Is.Empty);
            Assert.That(_harness.Agent.Calls, Is.Empty);
        });
    }

    [Test]
    public void CreateEndpoint_OverlongEndpointId_Fails()
    {
        Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32", endpointId: new string('a', 4096)), CancellationToken.None));
    }

    [TestCase("", "", "no IPv4 or IPv6 address")]
    [TestCase("10.11.0.2/33", "", "Interface.Address")]
    [TestCase("fd00:11::2/128", "", "Interface.Address")]
    [TestCase("", "10.11.0.2/32", "Interface.AddressIPv6")]
    public void CreateEndpoint_BadAddresses_FailsWithoutTouchingAnything(string address, string addressIPv6, string reason)
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint(address, addressIPv6), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(reason));
            Assert.That(_harness.Datapath.Created, Is.Empty);
        });
    }

    [Test]
    public void CreateEndpoint_BadMac_Fails()
    {
        Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32", mac: "02:42:zz"), CancellationToken.None));
        Assert.That(_harness.Datapath.Created, Is.Empty);
    }

    [TestCase("netkit")]
    [TestCase("netkit-l2")]
    public void CreateEndpoint_NonVethDatapath_FailsNamingTheMode(string mode)
    {
        _harness.Config.Set(AgentConfigs.IPv4Only(mode));

        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain($"\"{mode}\"").And.Contain("only supports \"veth\""));
            Assert.That(_harness.Datapath.Created, Is.Empty);
        });
    }

    [Test]
    public void CreateEndpoint_AgentConfigUnknown_FailsNamingTheSocket()
    {
        _harness.Config.Set(null);

        var error = Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(FakeAgentConfig.Socket));
            Assert.That(_harness.Datapath.Created, Is.Empty);
        });
    }

    [Test]
    public void CreateEndpoint_DatapathFails_DoesNotRegisterAtAgent()
    {
        _harness.Datapath.CreateFailure = "unable to create veth pair: file exists";

        Assert.ThrowsAsync<DatapathException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None));

        Assert.That(_harness.Agent.Calls, Is.Empty);
    }

    [Test]
    public void CreateEndpoint_AgentRefusesEndpoint_RemovesTheVeth()
    {
        _harness.Agent.FailNext("CreateEndpoint", 500, "regeneration failed");

        var error = Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("regeneration failed"));
            Assert.That(_harness.Datapath.Existing, Is.Empty);
            Assert.That(_harness.Model.Endpoints, Is.Empty);
        });
    }

    [Test]
    public async Task CreateEndpoint_AgentAnswerLost_RemovesVethAndTheEndpointTheAgentMayHaveCreated()
    {
        _harness.Agent.AfterCall = operation =>
        {
            if (operation == "CreateEndpoint")
            {
                throw new CiliumAgentException("connection reset while reading the answer", AgentFailure.NoAnswer);
            }
        };

        Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None));
        _harness.Agent.AfterCall = null;
        await _harness.RunJanitorsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Datapath.Existing, Is.Empty);
            Assert.That(_harness.Model.Endpoints, Is.Empty);
        });
    }

    [Test]
    public async Task CreateEndpoint_RepeatedByDocker_ReplacesTheRegistration()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);

        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);

        var endpoint = _harness.Model.Endpoints.Single();
        Assert.That(endpoint.Request.InterfaceIndex, Is.EqualTo(101), "the registration describes the latest interface");
    }

    [Test]
    public async Task Join_IPv4Endpoint_AnswersGatewayAndRoutesWithoutDefaultRoute()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);

        var join = await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(join.InterfaceName.SrcName, Is.EqualTo(VethNames.Container(EndpointId)));
            Assert.That(join.InterfaceName.DstPrefix, Is.EqualTo("cilium"));
            Assert.That(join.Gateway, Is.EqualTo("10.11.0.1"));
            Assert.That(join.GatewayIPv6, Is.Null);
            Assert.That(join.DisableGatewayService, Is.True);
            Assert.That(join.StaticRoutes.Select(route => (route.Destination, route.RouteType, route.NextHopAddress)), Is.EqualTo(new[]
            {
                ("10.11.0.1/32", 1, (string?)null),
                ("10.11.0.0/16", 0, "10.11.0.1"),
            }));
        });
    }

    [Test]
    public async Task Join_SecondEndpointInTheSameSandbox_RefusedExplainingOneCiliumInterface()
    {
        const string other = "c3e9fbb6be9bff516dd96e3494b55da1d6f3f8f2ed1a9c5b7d6e0f1a2b3c4d5e";
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.3/32", endpointId: other), CancellationToken.None);
        await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.JoinAsync(DockerRequests.Join(other), CancellationToken.None));
        var rejoin = await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);
        var elsewhere = await _harness.Network.JoinAsync(DockerRequests.Join(other, "/var/run/docker/netns/0123456789ab"), CancellationToken.None);

        Assert.That(error!.Message, Does.Contain("only one Cilium interface").And.Contain(EndpointId));
        Assert.That(rejoin.InterfaceName.SrcName, Is.EqualTo(VethNames.Container(EndpointId)), "a repeated Join of the same endpoint is not a second interface");
        Assert.That(elsewhere.InterfaceName.SrcName, Is.EqualTo(VethNames.Container(other)));
    }

    [Test]
    public async Task Join_AfterTheFirstEndpointLeft_SecondEndpointInTheSameSandboxJoins()
    {
        const string other = "c3e9fbb6be9bff516dd96e3494b55da1d6f3f8f2ed1a9c5b7d6e0f1a2b3c4d5e";
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.3/32", endpointId: other), CancellationToken.None);
        await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        var join = await _harness.Network.JoinAsync(DockerRequests.Join(other), CancellationToken.None);

        Assert.That(join.InterfaceName.SrcName, Is.EqualTo(VethNames.Container(other)));
    }

    [Test]
    public async Task Join_DualStackEndpoint_AnswersBothFamilies()
    {
        _harness.Model.Config = AgentConfigs.DualStack();
        _harness.Config.Set(_harness.Model.Config);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32", "fd00:11::2/128"), CancellationToken.None);

        var join = await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((join.Gateway, join.GatewayIPv6), Is.EqualTo(("10.11.0.1", "fd00:11::1")));
            Assert.That(join.StaticRoutes.Select(route => route.Destination), Is.EqualTo(new[] { "10.11.0.1/32", "10.11.0.0/16", "fd00:11::1/128", "fd00:11::/112" }));
            Assert.That(join.StaticRoutes.Select(route => route.Destination), Has.None.EqualTo("0.0.0.0/0").And.None.EqualTo("::/0"));
        });
    }

    [Test]
    public async Task Join_IPv6OnlyEndpointOnDualStackAgent_AnswersOnlyIPv6()
    {
        _harness.Model.Config = AgentConfigs.DualStack();
        _harness.Config.Set(_harness.Model.Config);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint(string.Empty, "fd00:11::2/128"), CancellationToken.None);

        var join = await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        Assert.That((join.Gateway, join.GatewayIPv6), Is.EqualTo(((string?)null, "fd00:11::1")));
    }

    [Test]
    public async Task Join_EndpointThisProcessCreated_DoesNotAskTheAgent()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);

        var join = await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(join.Gateway, Is.EqualTo("10.11.0.1"));
            Assert.That(_harness.Agent.Calls, Has.None.StartsWith("GetEndpoint "));
        });
    }

    [Test]
    public async Task Join_AfterPluginRestart_AsksTheAgentWhichFamiliesTheEndpointHas()
    {
        _harness.Model.Config = AgentConfigs.DualStack();
        _harness.Config.Set(_harness.Model.Config);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint(string.Empty, "fd00:11::2/128"), CancellationToken.None);

        var join = await _harness.RestartedNetwork().JoinAsync(DockerRequests.Join(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((join.Gateway, join.GatewayIPv6), Is.EqualTo(((string?)null, "fd00:11::1")));
            Assert.That(_harness.Agent.Calls, Has.One.EqualTo("GetEndpoint docker-endpoint:" + EndpointId));
        });
    }

    [Test]
    public async Task Join_AfterPluginRestartAndAgentLostTheEndpoint_FailsExplaining()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        _harness.Model.DeleteEndpoint("docker-endpoint:" + EndpointId);

        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.RestartedNetwork().JoinAsync(DockerRequests.Join(), CancellationToken.None));

        Assert.That(error.Message, Does.Contain("not registered at the Cilium agent"));
    }

    [Test]
    public void Join_EndpointUnknownToAgent_FailsExplaining()
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None));

        Assert.That(error.Message, Does.Contain("not registered at the Cilium agent"));
    }

    [Test]
    public async Task Leave_KnownAndUnknownEndpoint_DeletesAgentEndpointIdempotently()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);

        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Endpoints, Is.Empty);
            Assert.That(_harness.Agent.Calls.Count(call => call == "DeleteEndpoint docker-endpoint:" + EndpointId), Is.EqualTo(2));
        });
    }

    [TestCase(null)]
    [TestCase(500)]
    [TestCase(429)]
    public async Task Leave_AgentUnavailable_SucceedsAndDeletesOnceTheAgentIsBack(int? status)
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        _harness.Agent.FailNext("DeleteEndpoint", status);

        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        Assert.That(_harness.Cleanup.Count, Is.EqualTo(1));

        await _harness.RunJanitorsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Endpoints, Is.Empty);
            Assert.That(_harness.Cleanup.Count, Is.Zero);
        });
    }

    [Test]
    public async Task Leave_PendingDeletion_SurvivesPluginRestart()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        _harness.Agent.Unreachable = true;
        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        _harness.Agent.Unreachable = false;

        var restarted = _harness.NewCleanupQueue();
        await new EndpointJanitor(_harness.Agent, restarted, Microsoft.Extensions.Logging.Abstractions.NullLogger<EndpointJanitor>.Instance).RunOnceAsync(CancellationToken.None);

        Assert.That(_harness.Model.Endpoints, Is.Empty);
    }

    [Test]
    public void Leave_AgentRejectsTheId_PassesErrorOn()
    {
        _harness.Agent.FailNext("DeleteEndpoint", 400, "invalid endpoint id");

        Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None));
        Assert.That(_harness.Cleanup.Count, Is.Zero);
    }

    [Test]
    public async Task DeleteEndpoint_WithoutLeave_RemovesAgentEndpointAndVeth()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);

        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.2"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Endpoints, Is.Empty);
            Assert.That(_harness.Model.Allocations, Is.Empty);
            Assert.That(_harness.Datapath.Existing, Is.Empty);
        });
    }

    [Test]
    public async Task DeleteEndpoint_AfterLeaveDeletedTheAgentEndpoint_DoesNotAskTheAgentAgain()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);

        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Agent.Calls.Count(call => call == "DeleteEndpoint docker-endpoint:" + EndpointId), Is.EqualTo(1));
            Assert.That(_harness.Model.Endpoints, Is.Empty);
            Assert.That(_harness.Datapath.Existing, Is.Empty);
        });
    }

    [Test]
    public async Task DeleteEndpoint_AfterLeaveCouldNotDelete_DeletesAtTheAgent()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        _harness.Agent.FailNext("DeleteEndpoint", 500);
        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);

        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Endpoints, Is.Empty);
            Assert.That(_harness.Cleanup.Count, Is.Zero);
        });
    }

    [Test]
    public async Task DeleteEndpoint_AfterPluginRestart_DeletesAtTheAgent()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);

        await _harness.RestartedNetwork().DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);

        Assert.That(_harness.Agent.Calls.Count(call => call == "DeleteEndpoint docker-endpoint:" + EndpointId), Is.EqualTo(2), "the restarted plugin cannot know that Leave deleted it");
    }

    [Test]
    public async Task DeleteEndpoint_Twice_SucceedsBothTimes()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);

        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);

        Assert.That(_harness.Datapath.Deleted, Is.EqualTo(new[] { EndpointId, EndpointId }));
    }

    [Test]
    public async Task DeleteEndpoint_AgentDown_StillRemovesTheVeth()
    {
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        _harness.Agent.Unreachable = true;
        _harness.Config.Set(null);

        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Datapath.Existing, Is.Empty);
            Assert.That(_harness.Cleanup.Snapshot(), Is.EqualTo(new[] { EndpointId }));
        });
    }

    [Test]
    public void EndpointOperInfo_ValidAndInvalidIds()
    {
        Assert.Multiple(() =>
        {
            Assert.That(NetworkDriver.EndpointOperInfo(DockerRequests.Endpoint()).Value, Is.Empty);
            Assert.That(() => NetworkDriver.EndpointOperInfo(DockerRequests.Endpoint("x/y")), Throws.TypeOf<RequestRefusedException>());
        });
    }

    [Test]
    public void SwarmAndDiscoveryCalls_AnswerAsDocumented()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => NetworkDriver.AllocateNetwork(new NetworkRequest { NetworkId = DockerRequests.NetworkId }), Throws.TypeOf<RequestRefusedException>().With.Message.Contains("local-scope"));
            Assert.That(NetworkDriver.FreeNetwork(new NetworkRequest()), Is.SameAs(EmptyResponse.Instance));
            Assert.That(NetworkDriver.Discover(new DiscoveryRequest { DiscoveryType = 1 }), Is.SameAs(EmptyResponse.Instance));
        });
    }

    [Test]
    public async Task FullDockerSequence_NetworkCreateRunStopRemove_LeavesNothingBehind()
    {
        _harness.Model.Config = AgentConfigs.DualStack();
        _harness.Config.Set(_harness.Model.Config);
        var pool4 = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(), CancellationToken.None);
        var pool6 = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(v6: true), CancellationToken.None);
        _harness.Network.CreateNetwork(new CreateNetworkRequest
        {
            NetworkId = DockerRequests.NetworkId,
            IPv4Data = [new IpamData { AddressSpace = "CiliumLocal", Pool = pool4.Pool, Gateway = pool4.Data["com.docker.network.gateway"] }],
            IPv6Data = [new IpamData { AddressSpace = "CiliumLocal", Pool = pool6.Pool, Gateway = pool6.Data["com.docker.network.gateway"] }],
        });

        var v4 = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(pool4.PoolId), CancellationToken.None);
        var v6 = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(pool6.PoolId), CancellationToken.None);
        await _harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint(v4.Address, v6.Address), CancellationToken.None);
        await _harness.Network.JoinAsync(DockerRequests.Join(), CancellationToken.None);
        await _harness.Network.ProgramExternalConnectivityAsync(DockerRequests.Endpoint(), CancellationToken.None);
        NetworkDriver.EndpointOperInfo(DockerRequests.Endpoint());
        Assert.That(_harness.Model.Unheld(includeExpiring: true), Is.Empty, "while running, every address is held by the endpoint");

        await _harness.Network.RevokeExternalConnectivityAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Network.DeleteEndpointAsync(DockerRequests.Endpoint(), CancellationToken.None);
        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release(pool4.PoolId, "10.11.0.2"), CancellationToken.None);
        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release(pool6.PoolId, "fd00:11::2"), CancellationToken.None);
        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release(pool4.PoolId, "10.11.0.1"), CancellationToken.None);
        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release(pool6.PoolId, "fd00:11::1"), CancellationToken.None);
        IpamDriver.ReleasePool(new ReleasePoolRequest { PoolId = pool4.PoolId });
        IpamDriver.ReleasePool(new ReleasePoolRequest { PoolId = pool6.PoolId });
        _harness.Network.DeleteNetwork(new NetworkRequest { NetworkId = DockerRequests.NetworkId });

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Allocations, Is.Empty);
            Assert.That(_harness.Model.Endpoints, Is.Empty);
            Assert.That(_harness.Datapath.Existing, Is.Empty);
            Assert.That(_harness.Ledger.ExpiringCount + _harness.Ledger.ReservationCount + _harness.Ledger.DeferredReleaseCount + _harness.Cleanup.Count, Is.Zero);
        });
    }
}
