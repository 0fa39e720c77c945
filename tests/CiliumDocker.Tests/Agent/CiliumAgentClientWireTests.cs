using System.Text.Json;
using CiliumDocker.Agent;
using CiliumDocker.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Agent;

/// <summary>The exact requests the client sends and how it reads each answer (spec §3.2, §4).</summary>
[TestFixture]
[CancelAfter(20_000)]
internal sealed class CiliumAgentClientWireTests
{
    private FakeAgentServer _agent = null!;
    private CiliumAgentClient _client = null!;

    [SetUp]
    public async Task StartAgent()
    {
        _agent = await FakeAgentServer.StartUnixAsync();
        _client = AgentClientTestKit.Create(AgentClientTestKit.Options(_agent.Endpoint), new FakeTimeProvider());
    }

    [TearDown]
    public async Task StopAgent()
    {
        _client.Dispose();
        await _agent.DisposeAsync();
    }

    [Test]
    public async Task GetConfigAsync_AgentAnswers_SendsPlainGetAndReadsStatus(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Json(200, AgentClientTestKit.ConfigJson));

        var status = await _client.GetConfigAsync(cancellationToken);

        var request = _agent.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("GET"));
            Assert.That(request.RawTarget, Is.EqualTo("/v1/config"));
            Assert.That(request.Header("Host"), Is.EqualTo("localhost"));
            Assert.That(request.Header("Accept"), Is.EqualTo("application/json"));
            Assert.That(request.Header("Content-Type"), Is.Null);
            Assert.That(request.Body, Is.Empty);
            Assert.That(status.Addressing?.IPv4?.Ip, Is.EqualTo("10.15.0.1"));
            Assert.That(status.Addressing?.IPv4?.AllocRange, Is.EqualTo("10.15.0.0/16"));
            Assert.That(status.Addressing?.IPv6?.Enabled, Is.False);
            Assert.That(status.DeviceMtu, Is.EqualTo(1500));
            Assert.That(status.RouteMtu, Is.EqualTo(1450));
            Assert.That(status.DatapathMode, Is.EqualTo("veth"));
            Assert.That(status.GsoIPv4MaxSize, Is.EqualTo(65536));
        });
    }

    [Test]
    public async Task AllocateNextAsync_IPv4WithoutExpiration_PostsFamilyOwnerAndExpirationFalseWithoutBody(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Json(201, """
            {"address":{"ipv4":"10.15.0.5","ipv4-pool-name":"default"},
             "host-addressing":{"ipv4":{"enabled":true,"ip":"10.15.0.1","alloc-range":"10.15.0.0/16"},"ipv6":{"enabled":false,"ip":"","alloc-range":""}},
             "ipv4":{"ip":"10.15.0.5","gateway":"10.15.0.1","cidrs":["10.15.0.0/16"]}}
            """));

        var response = await _client.AllocateNextAsync(IpFamily.IPv4, "docker-ipam", expiration: false, cancellationToken);

        var request = _agent.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.RawTarget, Is.EqualTo("/v1/ipam?family=ipv4&owner=docker-ipam"));
            Assert.That(request.Header("expiration"), Is.EqualTo("false"));
            Assert.That(request.Header("Content-Type"), Is.Null);
            Assert.That(request.Body, Is.Empty);
            Assert.That(response.Address?.IPv4, Is.EqualTo("10.15.0.5"));
            Assert.That(response.Address?.IPv4PoolName, Is.EqualTo("default"));
            Assert.That(response.HostAddressing?.IPv4?.Ip, Is.EqualTo("10.15.0.1"));
        });
    }

    [Test]
    public async Task AllocateNextAsync_IPv6WithExpiration_SendsExpirationTrueAndReadsUuid(CancellationToken cancellationToken)
    {
        // The real agent's answer (Cilium 1.10, daemon/cmd/ipam.go): the UUID only in the per-family object.
        _agent.Enqueue(FakeAgentResponse.Json(201, """
            {"address":{"ipv6":"f00d::a0f:0:0:1234"},
             "host-addressing":{"ipv6":{"enabled":true,"ip":"f00d::a0f:0:0:1","alloc-range":"f00d::a0f:0:0:0/96"}},
             "ipv6":{"cidrs":null,"expiration-uuid":"6f1e3a52-8d4c-4b7e-9a41-0c2f5d8e7b19","ip":"f00d::a0f:0:0:1234"}}
            """));

        var response = await _client.AllocateNextAsync(IpFamily.IPv6, "docker-ipam", expiration: true, cancellationToken);

        var request = _agent.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.RawTarget, Is.EqualTo("/v1/ipam?family=ipv6&owner=docker-ipam"));
            Assert.That(request.Header("expiration"), Is.EqualTo("true"));
            Assert.That(response.Address?.IPv6, Is.EqualTo("f00d::a0f:0:0:1234"));
            Assert.That(response.ExpirationUuidOf(IpFamily.IPv6), Is.EqualTo("6f1e3a52-8d4c-4b7e-9a41-0c2f5d8e7b19"));
            Assert.That(response.ExpirationUuidOf(IpFamily.IPv4), Is.Null);
            Assert.That(response.HostAddressing?.IPv6?.AllocRange, Is.EqualTo("f00d::a0f:0:0:0/96"));
        });
    }

    [Test]
    public async Task AllocateAsync_IPv6Address_PostsToTheAddressKeepingColons(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Empty(200));

        await _client.AllocateAsync("f00d::a0f:0:0:1234", "docker-ipam", "default", cancellationToken);

        var request = _agent.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.RawTarget, Is.EqualTo("/v1/ipam/f00d::a0f:0:0:1234?owner=docker-ipam&pool=default"));
            Assert.That(request.Header("expiration"), Is.Null);
            Assert.That(request.Body, Is.Empty);
        });
    }

    [Test]
    public async Task ReleaseAsync_Address_DeletesNamingThePool(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Empty(200));

        await _client.ReleaseAsync("10.15.0.5", "default", cancellationToken);

        var request = _agent.Requests.Single();
        Assert.That((request.Method, request.RawTarget), Is.EqualTo(("DELETE", "/v1/ipam/10.15.0.5?pool=default")));
    }

    [Test]
    public void ReleaseAsync_UnknownAddress_IsAlreadyReleased()
    {
        _agent.Enqueue(FakeAgentResponse.Empty(404));

        Assert.That(async () => await _client.ReleaseAsync("10.15.0.5", "default", CancellationToken.None), Throws.Nothing);
    }

    [Test]
    public async Task CreateEndpointAsync_Request_PutsJsonToCiliumLocalZeroAndReadsEndpoint(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Json(201, """
            {"id":1234,"spec":{},"status":{"state":"waiting-for-identity",
             "external-identifiers":{"docker-endpoint-id":"3f1c","docker-network-id":"9ab2"},
             "networking":{"addressing":[{"ipv4":"10.15.0.5"}],"interface-name":"lxc5e0d3b7a91c4"}}}
            """));
        var change = new EndpointChangeRequest
        {
            DockerEndpointId = "3f1c",
            DockerNetworkId = "9ab2",
            InterfaceName = "lxc5e0d3b7a91c4",
            InterfaceIndex = 42,
            Mac = "d2:7f:00:00:00:01",
            HostMac = "8a:1e:00:00:00:02",
            Addressing = new AddressPair { IPv4 = "10.15.0.5", IPv4ExpirationUuid = "uuid-1" },
            SyncBuildEndpoint = true,
        };

        var endpoint = await _client.CreateEndpointAsync(change, cancellationToken);

        var request = _agent.Requests.Single();
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("PUT"));
            Assert.That(request.RawTarget, Is.EqualTo("/v1/endpoint/cilium-local:0"));
            Assert.That(request.Header("Content-Type"), Is.EqualTo("application/json"));
            Assert.That(root.GetProperty("state").GetString(), Is.EqualTo("waiting-for-identity"));
            Assert.That(root.GetProperty("sync-build-endpoint").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("docker-endpoint-id").GetString(), Is.EqualTo("3f1c"));
            Assert.That(root.GetProperty("docker-network-id").GetString(), Is.EqualTo("9ab2"));
            Assert.That(root.GetProperty("interface-index").GetInt32(), Is.EqualTo(42));
            Assert.That(root.GetProperty("host-mac").GetString(), Is.EqualTo("8a:1e:00:00:00:02"));
            Assert.That(root.GetProperty("addressing").GetProperty("ipv4").GetString(), Is.EqualTo("10.15.0.5"));
            Assert.That(root.GetProperty("addressing").GetProperty("ipv4-expiration-uuid").GetString(), Is.EqualTo("uuid-1"));
            Assert.That(root.TryGetProperty("labels", out _), Is.False, "unset fields are omitted");
            Assert.That(endpoint?.Id, Is.EqualTo(1234));
            Assert.That(endpoint?.Status?.ExternalIdentifiers?.DockerEndpointId, Is.EqualTo("3f1c"));
            Assert.That(endpoint?.Status?.Networking?.InterfaceName, Is.EqualTo("lxc5e0d3b7a91c4"));
        });
    }

    [Test]
    public async Task CreateEndpointAsync_OlderAgentWithoutBody_ReturnsNull(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Empty(201));

        var endpoint = await _client.CreateEndpointAsync(new EndpointChangeRequest(), cancellationToken);

        Assert.That(endpoint, Is.Null);
    }

    [Test]
    public async Task GetEndpointAsync_DockerEndpointId_GetsByPrefixedId(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Json(200, """{"id":7,"status":{"state":"ready"}}"""));

        var endpoint = await _client.GetEndpointAsync(EndpointIds.DockerEndpoint("3f1cab"), cancellationToken);

        var request = _agent.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That((request.Method, request.RawTarget), Is.EqualTo(("GET", "/v1/endpoint/docker-endpoint:3f1cab")));
            Assert.That(endpoint?.Id, Is.EqualTo(7));
            Assert.That(endpoint?.Status?.State, Is.EqualTo("ready"));
        });
    }

    [Test]
    public async Task GetEndpointAsync_UnknownEndpoint_ReturnsNull(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Empty(404));

        var endpoint = await _client.GetEndpointAsync("docker-endpoint:gone", cancellationToken);

        Assert.That(endpoint, Is.Null);
    }

    [Test]
    public async Task PatchEndpointAsync_KnownEndpoint_PatchesJsonAndReturnsTrue(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Empty(200));
        var change = new EndpointChangeRequest
        {
            ContainerId = "c0ffee",
            ContainerName = "web",
            Labels = ["container:app=web"],
        };

        var patched = await _client.PatchEndpointAsync("docker-endpoint:3f1c", change, cancellationToken);

        var request = _agent.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(patched, Is.True);
            Assert.That((request.Method, request.RawTarget), Is.EqualTo(("PATCH", "/v1/endpoint/docker-endpoint:3f1c")));
            Assert.That(request.Header("Content-Type"), Is.EqualTo("application/json"));
            Assert.That(request.Body, Is.EqualTo("""{"state":"waiting-for-identity","container-id":"c0ffee","container-name":"web","labels":["container:app=web"]}"""));
        });
    }

    [Test]
    public async Task PatchEndpointAsync_UnknownEndpoint_ReturnsFalse(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Empty(404));

        var patched = await _client.PatchEndpointAsync("docker-endpoint:gone", new EndpointChangeRequest(), cancellationToken);

        Assert.That(patched, Is.False);
    }

    [TestCase(200, true)]
    [TestCase(206, true)]
    [TestCase(404, false)]
    public async Task DeleteEndpointAsync_GoneOrDeleted_SucceedsSayingWhetherItExisted(int status, bool existed)
    {
        // The real agent's 404 body: "endpoint not found" as a JSON string.
        _agent.Enqueue(status switch
        {
            206 => FakeAgentResponse.Json(206, "2"),
            404 => FakeAgentResponse.Error(404, "endpoint not found"),
            _ => FakeAgentResponse.Empty(status),
        });

        var deleted = await _client.DeleteEndpointAsync("docker-endpoint:3f1c", CancellationToken.None);

        var request = _agent.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That((request.Method, request.RawTarget), Is.EqualTo(("DELETE", "/v1/endpoint/docker-endpoint:3f1c")));
            Assert.That(deleted, Is.EqualTo(existed));
        });
    }

    [Test]
    public async Task AllocateNextAsync_AnswerWithHostAddressing_PublishesItForTheConfigurationMonitor(CancellationToken cancellationToken)
    {
        var feed = new HostAddressingFeed();
        var published = new List<NodeAddressing>();
        feed.Observed += published.Add;
        using var client = AgentClientTestKit.Create(AgentClientTestKit.Options(_agent.Endpoint), new FakeTimeProvider(), hostAddressing: feed);
        _agent.Enqueue(FakeAgentResponse.Json(201, """{"address":{"ipv4":"10.15.0.7"},"host-addressing":{"ipv4":{"enabled":true,"ip":"10.15.0.1"}}}"""));
        _agent.Enqueue(FakeAgentResponse.Json(201, """{"address":{"ipv4":"10.15.0.8"}}"""));

        await client.AllocateNextAsync(IpFamily.IPv4, "docker-ipam", expiration: true, cancellationToken);
        await client.AllocateNextAsync(IpFamily.IPv4, "docker-ipam", expiration: true, cancellationToken);

        Assert.That(published.Select(addressing => addressing.IPv4?.Ip), Is.EqualTo(new[] { "10.15.0.1" }), "an answer without host-addressing publishes nothing");
    }

    [Test]
    public async Task GetEndpointAsync_IdWithSlashAndSpace_IsPathEscaped(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Empty(404));

        await _client.GetEndpointAsync("container-name:a/b c", cancellationToken);

        Assert.That(_agent.Requests.Single().RawTarget, Is.EqualTo("/v1/endpoint/container-name:a%2Fb%20c"));
    }

    [Test]
    public async Task GetConfigAsync_TcpEndpoint_UsesAgentAddressAsHost(CancellationToken cancellationToken)
    {
        await using var tcpAgent = await FakeAgentServer.StartTcpAsync();
        tcpAgent.Enqueue(FakeAgentResponse.Json(200, AgentClientTestKit.ConfigJson));
        using var client = AgentClientTestKit.Create(AgentClientTestKit.Options(tcpAgent.Endpoint), new FakeTimeProvider());

        var status = await client.GetConfigAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(client.Endpoint, Is.EqualTo($"tcp://127.0.0.1:{tcpAgent.Endpoint.Port}"));
            Assert.That(tcpAgent.Requests.Single().Header("Host"), Is.EqualTo($"127.0.0.1:{tcpAgent.Endpoint.Port}"));
            Assert.That(status.DatapathMode, Is.EqualTo("veth"));
        });
    }

    [Test]
    public void Endpoint_UnixSocket_IsTheSocketPath()
    {
        Assert.That(_client.Endpoint, Is.EqualTo(_agent.Endpoint.SocketPath));
    }
}
