using System.Text.Json;
using CiliumDocker.Datapath;
using CiliumDocker.Datapath.Netlink;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath;

[TestFixture]
[CancelAfter(60_000)]
internal sealed class NetlinkEndpointDatapathTests
{
    private static readonly OffloadSizes BigTcp = new(GroMaxSize: 196608, GsoMaxSize: 180000, GroIPv4MaxSize: 150000, GsoIPv4MaxSize: 140000);

    private TestNetworkNamespace _netns = null!;
    private NetlinkEndpointDatapath _datapath = null!;

    [SetUp]
    public void SetUp()
    {
        _netns = TestNetworkNamespace.Create();
        // New links inherit the namespace's default, so rp_filter 0 on the host end can only come from the datapath.
        _netns.Exec("sysctl", "-qw", "net.ipv4.conf.default.rp_filter=1");
        _datapath = new NetlinkEndpointDatapath(NullLogger<NetlinkEndpointDatapath>.Instance, _netns.Path, NetlinkEndpointDatapath.DefaultMaxSockets);
    }

    [TearDown]
    public void TearDown()
    {
        _datapath.Dispose();
        _netns.Dispose();
    }

    [Test]
    public async Task CreateAsync_WithMtuMacAndOffload_MatchesWhatIpReports(CancellationToken cancellationToken)
    {
        var endpointId = NewEndpointId();

        var pair = await _datapath.CreateAsync(new VethRequest(endpointId, "02:42:AC:11:00:07", 1450, BigTcp), cancellationToken);

        var host = _netns.ShowLink(pair.HostName) ?? throw new AssertionException($"{pair.HostName} missing");
        var container = _netns.ShowLink(pair.ContainerName) ?? throw new AssertionException($"{pair.ContainerName} missing");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pair.HostName, Is.EqualTo(VethNames.Host(endpointId)));
            Assert.That(pair.ContainerName, Is.EqualTo(VethNames.Container(endpointId)));
            Assert.That(pair.ContainerMac, Is.EqualTo("02:42:ac:11:00:07"));

            Assert.That(host.GetProperty("ifindex").GetInt32(), Is.EqualTo(pair.HostIndex));
            Assert.That(host.GetProperty("address").GetString(), Is.EqualTo(pair.HostMac));
            Assert.That(host.GetProperty("link").GetString(), Is.EqualTo(pair.ContainerName));
            Assert.That(host.GetProperty("linkinfo").GetProperty("info_kind").GetString(), Is.EqualTo("veth"));
            Assert.That(Flags(host), Does.Contain("UP"));
            Assert.That(Flags(container), Does.Not.Contain("UP"), "Docker brings the container end up after moving it");
            Assert.That(container.GetProperty("address").GetString(), Is.EqualTo(pair.ContainerMac));

            foreach (var link in new[] { host, container })
            {
                Assert.That(link.GetProperty("mtu").GetInt32(), Is.EqualTo(1450));
                Assert.That(link.GetProperty("txqlen").GetInt32(), Is.EqualTo(1000));
                Assert.That(link.GetProperty("gro_max_size").GetInt64(), Is.EqualTo(BigTcp.GroMaxSize));
                Assert.That(link.GetProperty("gso_max_size").GetInt64(), Is.EqualTo(BigTcp.GsoMaxSize));
            }

            Assert.That(_netns.RpFilter(pair.HostName), Is.EqualTo("0"));
            Assert.That(_netns.RpFilter(pair.ContainerName), Is.EqualTo("1"));
        }
    }

    [Test]
    public async Task CreateAsync_ReadBackThroughNetlink_AgreesWithIp(CancellationToken cancellationToken)
    {
        var pair = await _datapath.CreateAsync(new VethRequest(NewEndpointId(), null, 1400, BigTcp), cancellationToken);

        using var socket = NetworkNamespace.Run(_netns.Path, NetlinkSocket.Open);
        var links = new LinkOperations(socket);
        var host = links.GetLinkByName(pair.HostName)!;
        var container = links.GetLinkByName(pair.ContainerName)!;
        var ipHost = _netns.ShowLink(pair.HostName)!.Value;
        var ipContainer = _netns.ShowLink(pair.ContainerName)!.Value;
        using (Assert.EnterMultipleScope())
        {
            foreach (var (link, ip) in new[] { (host, ipHost), (container, ipContainer) })
            {
                Assert.That(link.Index, Is.EqualTo(ip.GetProperty("ifindex").GetInt32()));
                Assert.That(link.Name, Is.EqualTo(ip.GetProperty("ifname").GetString()));
                Assert.That(link.Mac, Is.EqualTo(ip.GetProperty("address").GetString()));
                Assert.That(link.Mtu, Is.EqualTo(ip.GetProperty("mtu").GetUInt32()));
                Assert.That(link.TxQueueLength, Is.EqualTo(ip.GetProperty("txqlen").GetUInt32()));
                Assert.That(link.Kind, Is.EqualTo("veth"));
                Assert.That(link.GroMaxSize, Is.EqualTo(ip.GetProperty("gro_max_size").GetUInt32()));
                Assert.That(link.GsoMaxSize, Is.EqualTo(ip.GetProperty("gso_max_size").GetUInt32()));
                // iproute2 6.1 does not print the IPv4 sizes; the kernel's own answer is the reference here.
                Assert.That(link.GroIPv4MaxSize, Is.EqualTo(BigTcp.GroIPv4MaxSize));
                Assert.That(link.GsoIPv4MaxSize, Is.EqualTo(BigTcp.GsoIPv4MaxSize));
                Assert.That(link.RpFilter.ToString(), Is.EqualTo(_netns.RpFilter(link.Name)));
            }

            Assert.That(host.LinkIndex, Is.EqualTo(container.Index));
            Assert.That(host.IsUp, Is.True);
            Assert.That(host.RpFilter, Is.Zero);
            Assert.That(pair.HostMac, Is.EqualTo(host.Mac));
            Assert.That(pair.ContainerMac, Is.EqualTo(container.Mac));
        }
    }

    [Test]
    public async Task CreateAsync_WithoutMacMtuOrOffload_GeneratesLocalUnicastMacsAndKeepsKernelDefaults(CancellationToken cancellationToken)
    {
        var pair = await _datapath.CreateAsync(new VethRequest(NewEndpointId(), null, 0, default), cancellationToken);

        var host = _netns.ShowLink(pair.HostName)!.Value;
        var container = _netns.ShowLink(pair.ContainerName)!.Value;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(container.GetProperty("address").GetString(), Is.EqualTo(pair.ContainerMac));
            Assert.That(pair.HostMac, Is.Not.EqualTo(pair.ContainerMac));
            foreach (var mac in new[] { pair.HostMac, pair.ContainerMac })
            {
                var first = Convert.ToByte(mac[..2], 16);
                Assert.That(first & 0x02, Is.EqualTo(0x02), $"{mac} is locally administered");
                Assert.That(first & 0x01, Is.Zero, $"{mac} is unicast");
            }

            Assert.That(host.GetProperty("mtu").GetInt32(), Is.EqualTo(1500));
            Assert.That(host.GetProperty("gso_max_size").GetInt32(), Is.EqualTo(65536));
            Assert.That(_netns.RpFilter(pair.HostName), Is.EqualTo("0"));
        }
    }

    [Test]
    public async Task DeleteAsync_ExistingPair_RemovesBothEnds(CancellationToken cancellationToken)
    {
        var endpointId = NewEndpointId();
        var pair = await _datapath.CreateAsync(new VethRequest(endpointId, null, 1500, default), cancellationToken);

        await _datapath.DeleteAsync(endpointId, cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_netns.ShowLink(pair.HostName), Is.Null);
            Assert.That(_netns.ShowLink(pair.ContainerName), Is.Null);
        }
    }

    [Test]
    public async Task DeleteAsync_PairThatDoesNotExist_Succeeds(CancellationToken cancellationToken)
    {
        var endpointId = NewEndpointId();
        await _datapath.CreateAsync(new VethRequest(endpointId, null, 1500, default), cancellationToken);
        await _datapath.DeleteAsync(endpointId, cancellationToken);

        Assert.That(() => _datapath.DeleteAsync(endpointId, cancellationToken), Throws.Nothing);
        Assert.That(() => _datapath.DeleteAsync(NewEndpointId(), cancellationToken), Throws.Nothing);
    }

    [Test]
    public async Task CreateAsync_HundredPairsConcurrently_CreatesAndDeletesThemAll(CancellationToken cancellationToken)
    {
        var endpointIds = Enumerable.Range(0, 100).Select(_ => NewEndpointId()).ToArray();

        var pairs = await Task.WhenAll(endpointIds.Select(id =>
            Task.Run(() => _datapath.CreateAsync(new VethRequest(id, null, 1450, BigTcp), cancellationToken), cancellationToken)));

        var expectedNames = pairs.SelectMany(p => new[] { p.HostName, p.ContainerName }).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_netns.LinkNames(), Is.EquivalentTo(expectedNames));
            Assert.That(pairs.Select(p => p.HostIndex).Distinct().Count(), Is.EqualTo(100));
            Assert.That(pairs.Select(p => p.ContainerMac).Concat(pairs.Select(p => p.HostMac)).Distinct().Count(), Is.EqualTo(200));
            Assert.That(pairs.Select(p => _netns.RpFilter(p.HostName)), Is.All.EqualTo("0"));
        }

        await Task.WhenAll(endpointIds.Select(id => Task.Run(() => _datapath.DeleteAsync(id, cancellationToken), cancellationToken)));

        Assert.That(_netns.LinkNames(), Is.Empty);
    }

    [Test]
    public void CreateAsync_HostNameTaken_FailsWithEexistAndLeavesTheOtherLinkAlone()
    {
        var endpointId = NewEndpointId();
        var hostName = VethNames.Host(endpointId);
        _netns.Ip("link", "add", hostName, "type", "bridge");

        var error = Assert.ThrowsAsync<DatapathException>(
            () => _datapath.CreateAsync(new VethRequest(endpointId, null, 1500, default), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.StartWith($"unable to create veth pair {hostName}/"));
            Assert.That(error.Message, Does.Contain("interface name already exists (EEXIST)"));
            Assert.That(error.Message, Does.Contain($"{hostName} is taken"));
            Assert.That(_netns.LinkNames(), Is.EqualTo(new[] { hostName }));
            Assert.That(_netns.ShowLink(hostName)!.Value.GetProperty("linkinfo").GetProperty("info_kind").GetString(), Is.EqualTo("bridge"));
        }
    }

    [Test]
    public void CreateAsync_ContainerNameTaken_NamesTheContainerSide()
    {
        var endpointId = NewEndpointId();
        var containerName = VethNames.Container(endpointId);
        _netns.Ip("link", "add", containerName, "type", "bridge");

        var error = Assert.ThrowsAsync<DatapathException>(
            () => _datapath.CreateAsync(new VethRequest(endpointId, null, 1500, default), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.Contain($"(EEXIST): {containerName} is taken"));
            Assert.That(_netns.LinkNames(), Is.EqualTo(new[] { containerName }));
        }
    }

    [Test]
    public async Task CreateAsync_SameEndpointTwice_KeepsTheFirstPair(CancellationToken cancellationToken)
    {
        var endpointId = NewEndpointId();
        var pair = await _datapath.CreateAsync(new VethRequest(endpointId, null, 1500, default), cancellationToken);

        Assert.That(
            () => _datapath.CreateAsync(new VethRequest(endpointId, null, 1500, default), cancellationToken),
            Throws.TypeOf<DatapathException>().With.Message.Contains("EEXIST"));

        Assert.That(_netns.ShowLink(pair.HostName)?.GetProperty("address").GetString(), Is.EqualTo(pair.HostMac));
    }

    [Test]
    public void CreateAsync_WithoutCapNetAdmin_FailsWithClearErrorAndCreatesNothing()
    {
        var endpointId = NewEndpointId();

        var (hadNetAdmin, error) = ThreadCapabilities.WithoutNetAdmin(() =>
        {
            using var restricted = new NetlinkEndpointDatapath(NullLogger<NetlinkEndpointDatapath>.Instance, _netns.Path, NetlinkEndpointDatapath.DefaultMaxSockets);
            var hasNetAdmin = ThreadCapabilities.CurrentThreadHasNetAdmin();
            try
            {
                restricted.CreateAsync(new VethRequest(endpointId, null, 1500, default), CancellationToken.None).GetAwaiter().GetResult();
                return (hasNetAdmin, (DatapathException?)null);
            }
            catch (DatapathException e)
            {
                return (hasNetAdmin, e);
            }
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hadNetAdmin, Is.False);
            Assert.That(error, Is.Not.Null);
            Assert.That(error?.Message, Does.StartWith($"unable to create veth pair {VethNames.Host(endpointId)}/"));
            Assert.That(error?.Message, Does.Contain("operation not permitted (EPERM)"));
            Assert.That(error?.Message, Does.Contain("CAP_NET_ADMIN"));
            Assert.That(_netns.LinkNames(), Is.Empty);
        }
    }

    [Test]
    public async Task DeleteAsync_WithoutCapNetAdmin_FailsWithClearErrorAndKeepsThePair(CancellationToken cancellationToken)
    {
        var endpointId = NewEndpointId();
        var pair = await _datapath.CreateAsync(new VethRequest(endpointId, null, 1500, default), cancellationToken);

        var error = ThreadCapabilities.WithoutNetAdmin(() =>
        {
            using var restricted = new NetlinkEndpointDatapath(NullLogger<NetlinkEndpointDatapath>.Instance, _netns.Path, NetlinkEndpointDatapath.DefaultMaxSockets);
            try
            {
                restricted.DeleteAsync(endpointId, CancellationToken.None).GetAwaiter().GetResult();
                return null;
            }
            catch (DatapathException e)
            {
                return e;
            }
        });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error, Is.Not.Null);
            Assert.That(error?.Message, Does.Contain($"unable to delete veth pair {pair.HostName}"));
            Assert.That(error?.Message, Does.Contain("CAP_NET_ADMIN"));
            Assert.That(_netns.ShowLink(pair.HostName), Is.Not.Null);
        }
    }

    [Test]
    public void CreateAsync_SetupFailsAfterTheCreate_RemovesThePairAgain()
    {
        // The kernel takes the pair, then refuses a GSO size above the veth's tso_max_size in the RTM_SETLINK.
        var tooBig = new OffloadSizes(0, GsoMaxSize: 1_000_000, 0, 0);
        var endpointId = NewEndpointId();

        var error = Assert.ThrowsAsync<DatapathException>(
            () => _datapath.CreateAsync(new VethRequest(endpointId, null, 1500, tooBig), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.StartWith($"unable to set up veth pair {VethNames.Host(endpointId)}/"));
            Assert.That(error.Message, Does.Contain("(EINVAL): too big gso_max_size"));
            Assert.That(_netns.LinkNames(), Is.Empty);
        }
    }

    [Test]
    public void CreateAsync_MtuAboveTheVethMaximum_FailsWithTheKernelsReasonAndCreatesNothing()
    {
        var error = Assert.ThrowsAsync<DatapathException>(
            () => _datapath.CreateAsync(new VethRequest(NewEndpointId(), null, 70000, default), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.StartWith("unable to create veth pair lxc"));
            Assert.That(error.Message, Does.Contain("(EINVAL)"));
            Assert.That(error.Message, Does.EndWith("with MTU 70000"));
            Assert.That(_netns.LinkNames(), Is.Empty);
        }
    }

    [TestCase("not-a-mac", "is not a MAC address")]
    [TestCase("02:42:ac:11:00", "is not a MAC address")]
    [TestCase("02:42:ac:11:00:zz", "is not a MAC address")]
    [TestCase("01:00:5e:00:00:01", "is a multicast address")]
    [TestCase("00:00:00:00:00:00", "is the all-zero address")]
    public void CreateAsync_BadContainerMac_FailsBeforeTouchingTheKernel(string mac, string reason)
    {
        Assert.That(
            () => _datapath.CreateAsync(new VethRequest(NewEndpointId(), mac, 1500, default), CancellationToken.None),
            Throws.TypeOf<DatapathException>().With.Message.Contains("invalid container MAC address").And.Message.Contains(reason));
        Assert.That(_netns.LinkNames(), Is.Empty);
    }

    [Test]
    public void CreateAsync_NegativeMtuOrOffload_FailsBeforeTouchingTheKernel()
    {
        Assert.That(
            () => _datapath.CreateAsync(new VethRequest(NewEndpointId(), null, -1, default), CancellationToken.None),
            Throws.TypeOf<DatapathException>().With.Message.Contains("MTU -1 is negative"));
        Assert.That(
            () => _datapath.CreateAsync(new VethRequest(NewEndpointId(), null, 1500, new OffloadSizes(0, 0, 0, 1L << 33)), CancellationToken.None),
            Throws.TypeOf<DatapathException>().With.Message.Contains("IPv4 GSO maximum size 8589934592 is out of range"));
        Assert.That(_netns.LinkNames(), Is.Empty);
    }

    [Test]
    public void CreateAsync_CancelledBeforehand_CreatesNothing()
    {
        Assert.That(
            () => _datapath.CreateAsync(new VethRequest(NewEndpointId(), null, 1500, default), new CancellationToken(canceled: true)),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(_netns.LinkNames(), Is.Empty);
    }

    [Test]
    public async Task CreateAsync_InATestNamespace_LeavesTheHostNamespaceAlone(CancellationToken cancellationToken)
    {
        var pair = await _datapath.CreateAsync(new VethRequest(NewEndpointId(), null, 1500, default), cancellationToken);

        var (exitCode, _, _) = TestNetworkNamespace.TryRun("ip", "link", "show", pair.HostName);

        Assert.That(exitCode, Is.Not.Zero, $"{pair.HostName} must not exist in the host namespace");
    }

    [Test]
    public void CreateAsync_AfterDispose_Throws()
    {
        _datapath.Dispose();

        Assert.That(
            () => _datapath.CreateAsync(new VethRequest(NewEndpointId(), null, 1500, default), CancellationToken.None),
            Throws.TypeOf<ObjectDisposedException>());
    }

    private static string NewEndpointId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "deadbeef";

    private static string[] Flags(JsonElement link) =>
        [.. link.GetProperty("flags").EnumerateArray().Select(f => f.GetString()!)];
}
