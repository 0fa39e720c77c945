using CiliumDocker.Agent;
using CiliumDocker.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Agent;

/// <summary>Every failure is a <see cref="CiliumAgentException"/> an operator can act on, never a stack trace.</summary>
[TestFixture]
[CancelAfter(20_000)]
internal sealed class CiliumAgentClientErrorTests
{
    private FakeAgentServer _agent = null!;
    private CiliumAgentClient _client = null!;
    private string _socket = null!;

    [SetUp]
    public async Task StartAgent()
    {
        _agent = await FakeAgentServer.StartUnixAsync();
        _socket = _agent.Endpoint.SocketPath!;
        _client = AgentClientTestKit.Create(AgentClientTestKit.Options(_agent.Endpoint), new FakeTimeProvider());
    }

    [TearDown]
    public async Task StopAgent()
    {
        _client.Dispose();
        await _agent.DisposeAsync();
    }

    [Test]
    public void ReleaseAsync_AddressInUse_ReportsTheAgentsJsonStringMessage()
    {
        _agent.DefaultResponse = FakeAgentResponse.Error(500, "IP is in use by endpoint 12");

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.ReleaseAsync("10.15.0.5", "default", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.Message, Is.EqualTo(
                $"DELETE /v1/ipam/10.15.0.5?pool=default failed: Cilium agent at {_socket} answered 500 Internal Server Error: IP is in use by endpoint 12; see the cilium-agent log"));
            Assert.That(_agent.Requests, Has.Count.EqualTo(1), "the agent's verdict is not asked for again");
            Assert.That(failure.StatusCode, Is.EqualTo(500));
            Assert.That(failure.AgentUnreachable, Is.False);
        });
    }

    [Test]
    public void AllocateAsync_Taken_ReportsTheAllocatorsVerdictOnce()
    {
        // The real agent answers every refusal of POST /v1/ipam/{ip} with 500 and its allocator's message.
        _agent.DefaultResponse = FakeAgentResponse.Error(500, "provided IP is already allocated");

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.AllocateAsync("10.15.0.5", "docker-ipam", "default", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.Message, Is.EqualTo(
                $"POST /v1/ipam/10.15.0.5?owner=docker-ipam&pool=default failed: Cilium agent at {_socket} answered 500 Internal Server Error: provided IP is already allocated; see the cilium-agent log"));
            Assert.That(failure.StatusCode, Is.EqualTo(500));
            Assert.That(_agent.Requests, Has.Count.EqualTo(1), "the agent's verdict is not asked for again");
        });
    }

    [Test]
    public void AllocateAsync_EmptyConflict_SaysThereIsNoMessage()
    {
        _agent.Enqueue(FakeAgentResponse.Empty(409));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.AllocateAsync("10.15.0.5", "docker-ipam", "default", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.Message, Is.EqualTo(
                $"POST /v1/ipam/10.15.0.5?owner=docker-ipam&pool=default failed: Cilium agent at {_socket} answered 409 Conflict: (no message)"));
            Assert.That(failure.StatusCode, Is.EqualTo(409));
        });
    }

    [Test]
    public void AllocateAsync_FamilyDisabled_ReportsNotImplemented()
    {
        _agent.Enqueue(FakeAgentResponse.Error(501, "IPv6 allocation disabled"));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.AllocateAsync("f00d::5", "docker-ipam", "default", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.Message, Does.Contain("answered 501 Not Implemented: IPv6 allocation disabled"));
            Assert.That(failure.StatusCode, Is.EqualTo(501));
            Assert.That(_agent.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void AllocateNextAsync_ParameterValidationError_ReadsGoOpenApiMessage()
    {
        _agent.Enqueue(FakeAgentResponse.Json(422, """{"code":602,"message":"family in query should be one of [ipv4 ipv6]"}"""));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(
            async () => await _client.AllocateNextAsync(IpFamily.IPv4, "docker-ipam", expiration: true, CancellationToken.None));

        Assert.That(failure.Message, Does.Contain("answered 422 Unprocessable Entity: family in query should be one of [ipv4 ipv6]"));
    }

    [Test]
    public void GetEndpointAsync_PlainTextError_IsShownAsReceived()
    {
        _agent.Enqueue(FakeAgentResponse.Text(400, "invalid endpoint id format\n"));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.GetEndpointAsync("bogus:1", CancellationToken.None));

        Assert.That(failure.Message, Does.EndWith("answered 400 Bad Request: invalid endpoint id format"));
    }

    [Test]
    public void GetConfigAsync_UnreadableJson_FailsWithStatusAndParserMessage()
    {
        _agent.Enqueue(FakeAgentResponse.Json(200, "{\"status\": [1, 2]}"));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.GetConfigAsync(CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.Message, Does.StartWith($"GET /v1/config failed: Cilium agent at {_socket} answered 200 OK with JSON the plugin cannot read ("));
            Assert.That(failure.Message, Does.EndWith("is the agent a compatible Cilium version?"));
            Assert.That(failure.StatusCode, Is.EqualTo(200));
        });
    }

    [Test]
    public void GetConfigAsync_NoStatusObject_Fails()
    {
        _agent.Enqueue(FakeAgentResponse.Json(200, """{"spec":{}}"""));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.GetConfigAsync(CancellationToken.None));

        Assert.That(failure.Message, Does.Contain("answered 200 OK without a \"status\" object"));
    }

    [Test]
    public void AllocateNextAsync_EmptyCreated_FailsInsteadOfReturningNothing()
    {
        _agent.Enqueue(FakeAgentResponse.Empty(201));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(
            async () => await _client.AllocateNextAsync(IpFamily.IPv4, "docker-ipam", expiration: false, CancellationToken.None));

        Assert.That(failure.Message, Does.Contain("answered 201 Created without an allocation"));
    }

    [Test]
    public void GetConfigAsync_AnyFailure_CarriesNoStackTrace()
    {
        _agent.Enqueue(FakeAgentResponse.Json(200, "not json"));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.GetConfigAsync(CancellationToken.None));

        Assert.That(failure.Message, Does.Not.Contain(" at CiliumDocker.").And.Not.Contain("   at "));
    }

    [Test]
    public void Calls_EmptyIdentifiers_AreRejectedBeforeAnyRequest()
    {
        Assert.Multiple(() =>
        {
            Assert.That(async () => await _client.GetEndpointAsync("", CancellationToken.None), Throws.ArgumentException);
            Assert.That(async () => await _client.ReleaseAsync("", "default", CancellationToken.None), Throws.ArgumentException);
            Assert.That(async () => await _client.AllocateAsync("", "docker-ipam", "default", CancellationToken.None), Throws.ArgumentException);
        });
        Assert.That(_agent.Requests, Is.Empty);
    }
}
