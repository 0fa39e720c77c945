using System.Net;
using CiliumDocker.Addresses;
using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;
using CiliumDocker.Protocol;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Protocol;

[CancelAfter(10_000)]
internal sealed class IpamDriverTests
{
    private PluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new PluginHarness();

    [TearDown]
    public void TearDown() => _harness.Dispose();

    [Test]
    public void GetCapabilities_Always_NeedsNoMacAndNoReplay()
    {
        var capabilities = IpamDriver.GetCapabilities();

        Assert.That((capabilities.RequiresMacAddress, capabilities.RequiresRequestReplay), Is.EqualTo((false, false)));
    }

    [Test]
    public void GetDefaultAddressSpaces_Always_NamesCiliumSpaces()
    {
        var spaces = IpamDriver.GetDefaultAddressSpaces();

        Assert.That((spaces.LocalDefaultAddressSpace, spaces.GlobalDefaultAddressSpace), Is.EqualTo(("CiliumLocal", "CiliumGlobal")));
    }

    [Test]
    public async Task RequestPool_IPv4WithoutSubnet_AnswersCatchAllPoolWithRouterGateway()
    {
        var pool = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(pool.PoolId, Is.EqualTo("CiliumPoolv4"));
            Assert.That(pool.Pool, Is.EqualTo("0.0.0.0/0"));
            Assert.That(pool.Data, Is.EqualTo(new Dictionary<string, string> { ["com.docker.network.gateway"] = "10.11.0.1/32" }));
            Assert.That(_harness.Agent.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task RequestPool_IPv6OnDualStackAgent_AnswersAllocRangeWithRouterGateway()
    {
        _harness.Config.Set(AgentConfigs.DualStack());

        var pool = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(v6: true), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(pool.PoolId, Is.EqualTo("CiliumPoolv6"));
            Assert.That(pool.Pool, Is.EqualTo("fd00:11::/112"));
            Assert.That(pool.Data["com.docker.network.gateway"], Is.EqualTo("fd00:11::1/128"));
        });
    }

    [Test]
    public void RequestPool_IPv6WhenAgentHasIPv6Disabled_FailsWithClearError()
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(v6: true), CancellationToken.None));

        Assert.That(error.Message, Does.Contain("IPv6 is not enabled in the Cilium agent at " + FakeAgentConfig.Socket).And.Contain("without --ipv6"));
    }

    [Test]
    public void RequestPool_IPv6WhenAgentOmitsIPv6Object_FailsWithClearErrorNotCrash()
    {
        _harness.Config.Set(AgentConfigs.IPv4WithoutIPv6Object());

        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(v6: true), CancellationToken.None));

        Assert.That(error.Message, Does.Contain("IPv6 is not enabled"));
    }

    [Test]
    public void RequestPool_BeforeAgentConfigIsKnown_FailsNamingTheSocket()
    {
        _harness.Config.Set(null);

        var error = Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(), CancellationToken.None));

        Assert.That(error.Message, Does.Contain(FakeAgentConfig.Socket));
    }

    [TestCase("10.11.5.0/24", "10.11.5.0/24")]
    [TestCase("10.11.5.7/24", "10.11.5.0/24")]
    [TestCase("10.11.0.0/16", "10.11.0.0/16")]
    public async Task RequestPool_SubnetInsideAllocRange_EncodesNormalizedSubnetInPoolId(string subnet, string normalized)
    {
        var pool = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(pool: subnet), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(pool.PoolId, Is.EqualTo("CiliumPoolv4/" + normalized));
            Assert.That(pool.Pool, Is.EqualTo(normalized));
            Assert.That(pool.Data["com.docker.network.gateway"], Is.EqualTo("10.11.0.1/32"));
        });
    }

    [Test]
    public void RequestPool_SubnetOutsideAllocRange_FailsNamingTheRange()
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(pool: "192.168.7.0/24"), CancellationToken.None));

        Assert.That(error.Message, Does.Contain("192.168.7.0/24").And.Contain("10.11.0.0/16"));
    }

    [Test]
    public void RequestPool_SubnetWiderThanAllocRange_Fails()
    {
        Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(pool: "10.0.0.0/8"), CancellationToken.None));
    }

    [TestCase("not-a-subnet")]
    [TestCase("10.11.5.0")]
    [TestCase("10.11.5.0/33")]
    [TestCase("fd00:11::/120")]
    public void RequestPool_MalformedOrWrongFamilySubnet_FailsWithClearError(string subnet)
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(pool: subnet), CancellationToken.None));

        Assert.That(error.Message, Does.Contain("is not an IPv4 subnet"));
    }

    [Test]
    public void RequestPool_IpRangeWithoutSubnet_Fails()
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(subPool: "10.11.5.0/25"), CancellationToken.None));

        Assert.That(error.Message, Does.Contain("needs --subnet"));
    }

    [Test]
    public async Task RequestPool_IpRangeInsideSubnet_EncodesBothInPoolId()
    {
        var pool = await _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(pool: "10.11.5.0/24", subPool: "10.11.5.128/25"), CancellationToken.None);

        Assert.That(pool.PoolId, Is.EqualTo("CiliumPoolv4/10.11.5.0/24/10.11.5.128/25"));
    }

    [Test]
    public void RequestPool_IpRangeOutsideSubnet_Fails()
    {
        Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestPoolAsync(DockerRequests.Pool(pool: "10.11.5.0/24", subPool: "10.11.6.0/25"), CancellationToken.None));
    }

    [Test]
    public async Task RequestAddress_DefaultPool_AllocatesWithExpirationAndAnswersHostPrefix()
    {
        var answer = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(answer.Address, Is.EqualTo("10.11.0.2/32"));
            Assert.That(_harness.Agent.Calls, Is.EqualTo(new[] { "AllocateNext IPv4 docker-ipam expiration=True" }));
            Assert.That(_harness.Ledger.ExpirationUuidOf(IPAddress.Parse("10.11.0.2")), Is.EqualTo(_harness.Model.Allocations[IPAddress.Parse("10.11.0.2")].Uuid).And.Not.Null);
        });
    }

    [Test]
    public async Task RequestAddress_IPv6Pool_AllocatesIPv6HostPrefix()
    {
        _harness.Model.Config = AgentConfigs.DualStack();
        _harness.Config.Set(_harness.Model.Config);

        var answer = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv6"), CancellationToken.None);

        Assert.That(answer.Address, Is.EqualTo("fd00:11::2/128"));
    }

    [TestCase("")]
    [TestCase("CiliumPool")]
    [TestCase("CiliumPoolv5")]
    [TestCase("CiliumPoolv4x")]
    [TestCase("CiliumPoolv4/abc")]
    [TestCase("CiliumPoolv4/10.11.5.7/24")]
    [TestCase("CiliumPoolv4/fd00::/64")]
    [TestCase("default")]
    public void RequestAddress_UnknownPoolId_FailsWithoutAgentCall(string poolId)
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address(poolId), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("unknown pool ID"));
            Assert.That(_harness.Agent.Calls, Is.Empty);
        });
    }

    [TestCase("")]
    [TestCase("10.11.0.1")]
    public async Task RequestAddress_Gateway_AnswersRouterWithoutAllocating(string address)
    {
        var answer = await _harness.Ipam.RequestAddressAsync(DockerRequests.Gateway("CiliumPoolv4", address), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(answer.Address, Is.EqualTo("10.11.0.1/32"));
            Assert.That(_harness.Agent.Calls, Is.Empty);
        });
    }

    [Test]
    public void RequestAddress_GatewayOtherThanRouter_FailsExplainingTheRouter()
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Gateway("CiliumPoolv4/10.11.5.0/24", "10.11.5.1"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("--gateway 10.11.0.1"));
            Assert.That(_harness.Agent.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task RequestAddress_SpecificAddressInSubnet_ReservesItAtTheAgent()
    {
        var answer = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4/10.11.5.0/24", "10.11.5.50"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(answer.Address, Is.EqualTo("10.11.5.50/32"));
            Assert.That(_harness.Agent.Calls, Is.EqualTo(new[] { "Allocate 10.11.5.50 docker-ipam pool=default" }));
            Assert.That(_harness.Ledger.ReservationCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RequestAddress_SpecificAddressTaken_FailsAndKeepsNoReservation()
    {
        _harness.Model.Allocate("10.11.5.50", "someone");

        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4/10.11.5.0/24", "10.11.5.50"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.StartWith("10.11.5.50 cannot be reserved at the Cilium agent").And.Contain("provided IP is already allocated").And.EndWith("choose another address"));
            Assert.That(_harness.Ledger.ReservationCount, Is.Zero);
        });
        await _harness.RunJanitorsAsync();
        Assert.That(_harness.Model.Allocations.Keys, Does.Contain(IPAddress.Parse("10.11.5.50")), "someone else's address must stay allocated");
    }

    [TestCase("CiliumPoolv4/10.11.5.0/24", "10.11.6.50", "outside the network's subnet")]
    [TestCase("CiliumPoolv4", "192.168.0.5", "outside the Cilium agent's allocation range")]
    [TestCase("CiliumPoolv4", "10.11.0.1", "router")]
    [TestCase("CiliumPoolv4", "fd00:11::5", "is not an IPv4 address")]
    [TestCase("CiliumPoolv4", "10.11.0.300", "is not an IP address")]
    [TestCase("CiliumPoolv4", "10.11.0.5; rm -rf /", "is not an IP address")]
    public void RequestAddress_UnacceptableSpecificAddress_FailsWithoutAgentCall(string poolId, string address, string reason)
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address(poolId, address), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(reason));
            Assert.That(_harness.Agent.Calls, Is.Empty);
        });
    }

    [Test]
    public async Task RequestAddress_SubnetPoolWithoutAddress_PicksFreeAddressesInsideTheSubnet()
    {
        _harness.Model.Allocate("10.11.5.2", "someone");
        const string PoolId = "CiliumPoolv4/10.11.5.0/24";

        var first = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(PoolId), CancellationToken.None);
        var second = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address(PoolId), CancellationToken.None);

        Assert.That(new[] { first.Address, second.Address }, Is.EqualTo(new[] { "10.11.5.1/32", "10.11.5.3/32" }));
    }

    [Test]
    public async Task RequestAddress_IpRangePoolWithoutAddress_PicksInsideTheRange()
    {
        var answer = await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4/10.11.5.0/24/10.11.5.128/25"), CancellationToken.None);

        Assert.That(answer.Address, Is.EqualTo("10.11.5.128/32"));
    }

    [Test]
    public void RequestAddress_SubnetFull_FailsAfterBoundedProbes()
    {
        const string PoolId = "CiliumPoolv4/10.11.5.0/30";
        _harness.Model.Allocate("10.11.5.1", "someone");
        _harness.Model.Allocate("10.11.5.2", "someone");

        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address(PoolId), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("no free address found in 10.11.5.0/30"));
            Assert.That(_harness.Agent.Calls, Has.Count.LessThanOrEqualTo(AddressAllocator.SubnetProbeLimit));
            Assert.That(_harness.Ledger.ReservationCount, Is.Zero);
        });
    }

    [Test]
    public void RequestAddress_AgentAnswersNoAddress_FailsClearly()
    {
        _harness.Agent.NextAllocationAnswer = () => new IpamResponse { Address = new AddressPair() };

        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None));

        Assert.That(error.Message, Does.Contain("answered no IPv4 address"));
    }

    [Test]
    public async Task RequestAddress_AgentAnswersWrongFamily_FailsAndReleasesWhatItGot()
    {
        _harness.Model.Config = AgentConfigs.DualStack();
        _harness.Config.Set(_harness.Model.Config);
        _harness.Agent.NextAllocationAnswer = () => _harness.Model.AllocateNext(IpFamily.IPv6, "docker-ipam", expiration: false);

        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain("answered no IPv4 address"));
            Assert.That(_harness.Model.Allocations, Is.Empty);
        });
        await Task.CompletedTask;
    }

    [Test]
    public void RequestAddress_AgentFails_PassesTheAgentMessageOn()
    {
        _harness.Agent.FailNext("AllocateNext", 502, "pool exhausted");

        var error = Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None));

        Assert.That(error.Message, Does.Contain("pool exhausted"));
    }

    [Test]
    public void RequestAddress_DockerHangsUpAfterAllocation_ReleasesTheAddress()
    {
        using var hangUp = new CancellationTokenSource();
        _harness.Agent.AfterCall = operation =>
        {
            if (operation == "AllocateNext")
            {
                hangUp.Cancel();
            }
        };

        Assert.CatchAsync<OperationCanceledException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), hangUp.Token));

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Allocations, Is.Empty);
            Assert.That(_harness.Ledger.ExpiringCount + _harness.Ledger.DeferredReleaseCount, Is.Zero);
        });
    }

    [Test]
    public void RequestAddress_DockerHangsUpAfterSpecificReservation_ReleasesTheAddress()
    {
        using var hangUp = new CancellationTokenSource();
        _harness.Agent.AfterCall = operation =>
        {
            if (operation == "Allocate")
            {
                hangUp.Cancel();
            }
        };

        Assert.CatchAsync<OperationCanceledException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4/10.11.5.0/24", "10.11.5.9"), hangUp.Token));

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Allocations, Is.Empty);
            Assert.That(_harness.Ledger.ReservationCount, Is.Zero);
        });
    }

    [Test]
    public async Task RequestAddress_ReservationAnswerLost_IsReleasedAfterClaimTimeout()
    {
        _harness.Agent.AfterCall = operation =>
        {
            if (operation == "Allocate")
            {
                throw new CiliumAgentException("connection reset while reading the answer", AgentFailure.NoAnswer);
            }
        };

        Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4/10.11.5.0/24", "10.11.5.9"), CancellationToken.None));
        _harness.Agent.AfterCall = null;
        Assert.That(_harness.Model.Allocations.Keys, Does.Contain(IPAddress.Parse("10.11.5.9")), "the agent did allocate");

        _harness.Time.Advance(PluginHarness.ClaimTimeout);
        await _harness.RunJanitorsAsync();

        Assert.That(_harness.Model.Allocations, Is.Empty);
    }

    [Test]
    public async Task ReleaseAddress_AllocatedAddress_ReleasesAtAgentAndForgetsIt()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);

        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.2"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Allocations, Is.Empty);
            Assert.That(_harness.Ledger.ExpiringCount, Is.Zero);
            Assert.That(_harness.Metrics.AddressesReleased, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ReleaseAddress_RouterAddress_SucceedsWithoutAgentCall()
    {
        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.1"), CancellationToken.None);

        Assert.That(_harness.Agent.Calls, Is.Empty);
    }

    [Test]
    public async Task ReleaseAddress_AddressUnknownToAgent_Succeeds()
    {
        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.77"), CancellationToken.None);

        Assert.That(_harness.Agent.Calls, Is.EqualTo(new[] { "Release 10.11.0.77 pool=default" }));
    }

    [Test]
    public async Task ReleaseAddress_AgentUnreachable_SucceedsAndReleasesOnceTheAgentIsBack()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        _harness.Agent.Unreachable = true;

        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.2"), CancellationToken.None);
        await _harness.RunJanitorsAsync();
        Assert.That(_harness.Ledger.DeferredReleaseCount, Is.EqualTo(1));

        _harness.Agent.Unreachable = false;
        await _harness.RunJanitorsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Allocations, Is.Empty);
            Assert.That(_harness.Ledger.DeferredReleaseCount, Is.Zero);
        });
    }

    [TestCase(500)]
    [TestCase(429)]
    public async Task ReleaseAddress_AgentTransientError_IsDeferred(int status)
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        _harness.Agent.FailNext("Release", status);

        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.2"), CancellationToken.None);
        await _harness.RunJanitorsAsync();

        Assert.That(_harness.Model.Allocations, Is.Empty);
    }

    [Test]
    public async Task ReleaseAddress_BeforeAgentConfigIsKnown_DefersWithoutCallingTheAgent()
    {
        _harness.Config.Set(null);

        await _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.1"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Agent.Calls, Is.Empty);
            Assert.That(_harness.Ledger.DeferredReleaseCount, Is.EqualTo(1));
        });

        _harness.Config.Set(_harness.Model.Config);
        await _harness.RunJanitorsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(_harness.Agent.Calls, Is.Empty, "the router address is never released");
            Assert.That(_harness.Ledger.DeferredReleaseCount, Is.Zero);
        });
    }

    [Test]
    public void ReleaseAddress_AgentRejectsRequest_PassesErrorOn()
    {
        _harness.Agent.FailNext("Release", 400, "Invalid IP address");

        Assert.ThrowsAsync<CiliumAgentException>(() => _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release("CiliumPoolv4", "10.11.0.2"), CancellationToken.None));
        Assert.That(_harness.Ledger.DeferredReleaseCount, Is.Zero);
    }

    [TestCase("CiliumPoolv4", "", "needs the Address")]
    [TestCase("CiliumPoolv4", "garbage", "is not an IP address")]
    [TestCase("CiliumPoolv6", "10.11.0.2", "is not an IPv6 address")]
    [TestCase("nonsense", "10.11.0.2", "unknown pool ID")]
    public void ReleaseAddress_BadInput_FailsWithoutAgentCall(string poolId, string address, string reason)
    {
        var error = Assert.ThrowsAsync<RequestRefusedException>(() => _harness.Ipam.ReleaseAddressAsync(DockerRequests.Release(poolId, address), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(reason));
            Assert.That(_harness.Agent.Calls, Is.Empty);
        });
    }

    [Test]
    public void ReleasePool_KnownAndUnknownIds_SucceedsOrFailsClearly()
    {
        Assert.Multiple(() =>
        {
            Assert.That(IpamDriver.ReleasePool(new ReleasePoolRequest { PoolId = "CiliumPoolv4/10.11.5.0/24" }), Is.SameAs(EmptyResponse.Instance));
            Assert.That(() => IpamDriver.ReleasePool(new ReleasePoolRequest { PoolId = "bogus" }), Throws.TypeOf<RequestRefusedException>());
        });
    }

    [Test]
    public async Task Janitor_UnclaimedReservation_IsReleasedOnlyAfterClaimTimeout()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4/10.11.5.0/24", "10.11.5.50"), CancellationToken.None);

        _harness.Time.Advance(PluginHarness.ClaimTimeout - TimeSpan.FromSeconds(1));
        await _harness.RunJanitorsAsync();
        Assert.That(_harness.Model.Allocations, Has.Count.EqualTo(1));

        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        await _harness.RunJanitorsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Allocations, Is.Empty);
            Assert.That(_harness.Ledger.ReservationCount + _harness.Ledger.DeferredReleaseCount, Is.Zero);
        });
    }

    [Test]
    public async Task Janitor_ReservationSurvivesPluginRestart_AndIsReleasedByTheNextInstance()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4/10.11.5.0/24", "10.11.5.50"), CancellationToken.None);

        var restarted = _harness.NewLedger();
        var janitor = new AddressJanitor(_harness.Config, _harness.Agent, restarted, _harness.Metrics, Microsoft.Extensions.Logging.Abstractions.NullLogger<AddressJanitor>.Instance);
        _harness.Time.Advance(PluginHarness.ClaimTimeout);
        await janitor.RunOnceAsync(CancellationToken.None);

        Assert.That(_harness.Model.Allocations, Is.Empty);
    }

    [Test]
    public async Task Janitor_ExpiringAddressPastItsTime_IsDroppedBecauseTheAgentFreesIt()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);

        _harness.Time.Advance(AgentModel.Expiration);
        _harness.Model.ExpireDue();
        await _harness.RunJanitorsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Model.Allocations, Is.Empty);
            Assert.That(_harness.Ledger.ExpiringCount, Is.Zero);
            Assert.That(_harness.Agent.Calls, Has.None.StartsWith("Release"));
        });
    }

    [Test]
    public async Task Janitor_AgentUnreachable_KeepsOwedReleases()
    {
        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4/10.11.5.0/24", "10.11.5.50"), CancellationToken.None);
        _harness.Agent.Unreachable = true;
        _harness.Time.Advance(PluginHarness.ClaimTimeout);

        await _harness.RunJanitorsAsync();

        Assert.That(_harness.Ledger.DeferredReleaseCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Allocation_OfAddressWithOwedRelease_CancelsThatRelease()
    {
        // The agent lost the address (restart) and handed it out again: the old owed release must not free it.
        _harness.Ledger.DeferRelease(IPAddress.Parse("10.11.0.2"), "default");

        await _harness.Ipam.RequestAddressAsync(DockerRequests.Address("CiliumPoolv4"), CancellationToken.None);
        await _harness.RunJanitorsAsync();

        Assert.That(_harness.Model.Allocations.Keys, Does.Contain(IPAddress.Parse("10.11.0.2")));
    }
}
