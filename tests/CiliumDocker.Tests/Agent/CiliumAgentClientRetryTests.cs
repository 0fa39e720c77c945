using System.Net.Sockets;
using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;
using CiliumDocker.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Agent;

/// <summary>Retry by safety (product decision 5): what is repeated, what reaches the agent once only.</summary>
[TestFixture]
[CancelAfter(20_000)]
internal sealed class CiliumAgentClientRetryTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);

    private FakeAgentServer _agent = null!;
    private FakeTimeProvider _time = null!;
    private AgentCallStatistics _statistics = null!;
    private CiliumAgentClient _client = null!;

    [SetUp]
    public async Task StartAgent()
    {
        _agent = await FakeAgentServer.StartUnixAsync();
        _time = new FakeTimeProvider();
        _statistics = new AgentCallStatistics();
        _client = AgentClientTestKit.Create(AgentClientTestKit.Options(_agent.Endpoint), _time, _statistics);
    }

    [TearDown]
    public async Task StopAgent()
    {
        _client.Dispose();
        await _agent.DisposeAsync();
    }

    [Test]
    public async Task GetConfigAsync_ConnectionRefusedThenAgentUp_Succeeds(CancellationToken cancellationToken)
    {
        var socketPath = FakeAgentServer.NewSocketPath();
        var options = AgentClientTestKit.Options(SocketEndpoint.UnixSocket(socketPath));
        using var client = AgentClientTestKit.Create(
            new AgentClientOptions
            {
                Endpoint = options.Endpoint,
                AttemptTimeout = options.AttemptTimeout,
                TotalBudget = options.TotalBudget,
                RetryBaseDelay = TimeSpan.FromMinutes(1),
                MaxRetryDelay = TimeSpan.FromMinutes(2),
            },
            _time,
            _statistics);

        // A bound socket nobody listens on: connect() gets ECONNREFUSED, exactly like a stopped agent's leftover.
        var refusing = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        refusing.Bind(new UnixDomainSocketEndPoint(socketPath));
        FakeAgentServer? agent = null;
        try
        {
            var call = client.GetConfigAsync(cancellationToken);
            await AgentClientTestKit.WaitUntilAsync(() => _statistics.Retries >= 1, cancellationToken);
            Assert.That(call.IsCompleted, Is.False, "the retry waits for its backoff on the injected TimeProvider");

            refusing.Dispose();
            agent = await FakeAgentServer.StartUnixAsync(socketPath);
            agent.Enqueue(FakeAgentResponse.Json(200, AgentClientTestKit.ConfigJson));
            var status = await _time.AdvanceUntilDoneAsync(call, Step, cancellationToken);

            Assert.Multiple(() =>
            {
                Assert.That(status.Addressing?.IPv4?.Ip, Is.EqualTo("10.15.0.1"));
                Assert.That(agent.Requests, Has.Count.EqualTo(1));
                Assert.That(_statistics.Failures, Is.Zero);
            });
        }
        finally
        {
            refusing.Dispose();
            if (agent is not null)
            {
                await agent.DisposeAsync();
            }
        }
    }

    [Test]
    public void GetConfigAsync_SocketMissing_FailsAsUnreachableNamingTheSocket()
    {
        var socketPath = FakeAgentServer.NewSocketPath();
        using var client = AgentClientTestKit.Create(AgentClientTestKit.Options(SocketEndpoint.UnixSocket(socketPath)), _time, _statistics);

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await client.GetConfigAsync(CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.Message, Does.StartWith($"GET /v1/config failed: Cilium agent at {socketPath} is unreachable (no socket file at that path, 6 attempts)"));
            Assert.That(failure.Message, Does.EndWith("is cilium-agent running and is its socket mounted into the plugin?"));
            Assert.That(failure.StatusCode, Is.Null);
            Assert.That(failure.AgentUnreachable, Is.True);
            Assert.That(_statistics.Calls, Is.EqualTo(1));
            Assert.That(_statistics.Retries, Is.EqualTo(5));
            Assert.That(_statistics.Failures, Is.EqualTo(1));
            Assert.That(_statistics.Unreachable, Is.EqualTo(1));
        });
    }

    [Test]
    public void CreateEndpointAsync_ConnectionRefused_IsRetriedBecauseNothingReachedTheAgent()
    {
        var socketPath = FakeAgentServer.NewSocketPath();
        using var refusing = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        refusing.Bind(new UnixDomainSocketEndPoint(socketPath));
        using var client = AgentClientTestKit.Create(AgentClientTestKit.Options(SocketEndpoint.UnixSocket(socketPath)), _time, _statistics);

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await client.CreateEndpointAsync(new EndpointChangeRequest(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.Message, Does.Contain($"Cilium agent at {socketPath} is unreachable (connection refused, 6 attempts)"));
            Assert.That(failure.Message, Does.StartWith("PUT /v1/endpoint/cilium-local:0 failed"));
            Assert.That(_statistics.Retries, Is.EqualTo(5));
        });
    }

    [Test]
    public async Task GetConfigAsync_ServerErrorThenOk_IsRetried(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Error(500, "kvstore not ready"), FakeAgentResponse.Json(200, AgentClientTestKit.ConfigJson));

        var status = await _client.GetConfigAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(status.DatapathMode, Is.EqualTo("veth"));
            Assert.That(_agent.Requests, Has.Count.EqualTo(2));
            Assert.That(_statistics.Retries, Is.EqualTo(1));
        });
    }

    [Test]
    public void AllocateNextAsync_ServerErrorWithoutExpiration_ReachesTheAgentOnce()
    {
        _agent.Enqueue(FakeAgentResponse.Error(500, "allocator busy"), FakeAgentResponse.Json(201, """{"address":{"ipv4":"10.15.0.9"}}"""));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(
            async () => await _client.AllocateNextAsync(IpFamily.IPv4, "docker-ipam", expiration: false, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Requests, Has.Count.EqualTo(1));
            Assert.That(failure.StatusCode, Is.EqualTo(500));
            Assert.That(failure.Message, Does.Contain("allocator busy"));
            Assert.That(_statistics.Retries, Is.Zero);
        });
    }

    [Test]
    public async Task AllocateNextAsync_ServerErrorWithExpiration_IsRetried(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Error(500, "allocator busy"), FakeAgentResponse.Json(201, """{"address":{"ipv4":"10.15.0.9","ipv4-expiration-uuid":"u-1"}}"""));

        var response = await _client.AllocateNextAsync(IpFamily.IPv4, "docker-ipam", expiration: true, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(response.Address?.IPv4, Is.EqualTo("10.15.0.9"));
            Assert.That(_agent.Requests.Select(r => r.Header("expiration")), Is.EqualTo(new[] { "true", "true" }));
        });
    }

    [TestCase(429)]
    [TestCase(503)]
    public async Task CreateEndpointAsync_NotProcessedStatusThenCreated_IsRetried(int status)
    {
        _agent.Enqueue(FakeAgentResponse.Empty(status), FakeAgentResponse.Empty(201));

        await _client.CreateEndpointAsync(new EndpointChangeRequest { DockerEndpointId = "3f1c" }, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Requests, Has.Count.EqualTo(2));
            Assert.That(_agent.Requests[1].Body, Is.EqualTo(_agent.Requests[0].Body), "every attempt sends the same body");
        });
    }

    [TestCase(429)]
    [TestCase(503)]
    public async Task GetEndpointAsync_NotProcessedStatusThenOk_IsRetried(int status)
    {
        _agent.Enqueue(FakeAgentResponse.Empty(status), FakeAgentResponse.Json(200, """{"id":3}"""));

        var endpoint = await _client.GetEndpointAsync("docker-endpoint:3f1c", CancellationToken.None);

        Assert.That(endpoint?.Id, Is.EqualTo(3));
    }

    [Test]
    public void CreateEndpointAsync_ServerError_ReachesTheAgentOnce()
    {
        _agent.Enqueue(FakeAgentResponse.Error(500, "Endpoint ID is already set to 48705"), FakeAgentResponse.Empty(201));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(
            async () => await _client.CreateEndpointAsync(new EndpointChangeRequest(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Requests, Has.Count.EqualTo(1));
            Assert.That(failure.Message, Is.EqualTo(
                $"PUT /v1/endpoint/cilium-local:0 failed: Cilium agent at {_agent.Endpoint.SocketPath} answered 500 Internal Server Error: Endpoint ID is already set to 48705; see the cilium-agent log"));
        });
    }

    [Test]
    public void ReleaseAsync_RateLimitedEveryTime_GivesUpAfterTheRetryLimit()
    {
        _agent.DefaultResponse = FakeAgentResponse.Empty(429);

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.ReleaseAsync("10.15.0.5", "default", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Requests, Has.Count.EqualTo(6));
            Assert.That(failure.StatusCode, Is.EqualTo(429));
            Assert.That(failure.Message, Does.Contain("answered 429 Too Many Requests: (no message) (after 6 attempts); the agent is rate-limiting API calls"));
        });
    }

    [TestCase(400)]
    [TestCase(403)]
    [TestCase(409)]
    public void GetEndpointAsync_ClientError_IsNeverRetried(int status)
    {
        _agent.Enqueue(FakeAgentResponse.Error(status, "no"), FakeAgentResponse.Json(200, """{"id":3}"""));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.GetEndpointAsync("docker-endpoint:x", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.StatusCode, Is.EqualTo(status));
            Assert.That(_agent.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task GetEndpointAsync_ConnectionDroppedThenOk_IsRetried(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.CloseConnection(), FakeAgentResponse.Json(200, """{"id":3}"""));

        var endpoint = await _client.GetEndpointAsync("docker-endpoint:3f1c", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(endpoint?.Id, Is.EqualTo(3));
            Assert.That(_agent.Requests, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task ReleaseAsync_ConnectionDroppedThenUnknown_CountsAsReleased(CancellationToken cancellationToken)
    {
        // The dropped attempt may have released the address; the repeat then finds nothing, which is success.
        _agent.Enqueue(FakeAgentResponse.CloseConnection(), FakeAgentResponse.Empty(404));

        await _client.ReleaseAsync("10.15.0.5", "default", cancellationToken);

        Assert.That(_agent.Requests.Select(r => r.RawTarget), Is.EqualTo(new[] { "/v1/ipam/10.15.0.5?pool=default", "/v1/ipam/10.15.0.5?pool=default" }));
    }

    [Test]
    public async Task DeleteEndpointAsync_ServerErrorThenUnknown_CountsAsDeleted(CancellationToken cancellationToken)
    {
        _agent.Enqueue(FakeAgentResponse.Error(500, "endpoint is being regenerated"), FakeAgentResponse.Empty(404));

        await _client.DeleteEndpointAsync("docker-endpoint:3f1c", cancellationToken);

        Assert.That(_agent.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public void CreateEndpointAsync_ConnectionDropped_ReachesTheAgentOnce()
    {
        _agent.Enqueue(FakeAgentResponse.CloseConnection(), FakeAgentResponse.Empty(201));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(
            async () => await _client.CreateEndpointAsync(new EndpointChangeRequest(), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Requests, Has.Count.EqualTo(1));
            Assert.That(failure.StatusCode, Is.Null);
            Assert.That(failure.Message, Does.Contain($"Cilium agent at {_agent.Endpoint.SocketPath}: the agent closed the connection before answering"));
        });
    }

    [Test]
    public async Task GetConfigAsync_AttemptTimesOutThenOk_IsRetried(CancellationToken cancellationToken)
    {
        using var client = CreateClient(attemptTimeout: TimeSpan.FromSeconds(10), totalBudget: TimeSpan.FromSeconds(20));
        _agent.Enqueue(FakeAgentResponse.Hang(), FakeAgentResponse.Json(200, AgentClientTestKit.ConfigJson));

        var call = client.GetConfigAsync(cancellationToken);
        await _agent.WaitForRequestAsync(1, cancellationToken);
        _time.Advance(TimeSpan.FromSeconds(10));
        var status = await call;

        Assert.Multiple(() =>
        {
            Assert.That(status.DeviceMtu, Is.EqualTo(1500));
            Assert.That(_agent.Requests, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task CreateEndpointAsync_SlowSyncBuild_WaitsTheWholeBudgetAndIsNotRepeated(CancellationToken cancellationToken)
    {
        // The agent answers a PUT with sync-build-endpoint only after the endpoint's first datapath build, possibly
        // after queueing it in its rate limiter: the usual attempt timeout must not cut it short.
        using var client = CreateClient(attemptTimeout: TimeSpan.FromSeconds(10), totalBudget: TimeSpan.FromSeconds(20));
        _agent.Enqueue(FakeAgentResponse.Hang(), FakeAgentResponse.Empty(201));

        var call = client.CreateEndpointAsync(new EndpointChangeRequest(), cancellationToken);
        await _agent.WaitForRequestAsync(1, cancellationToken);
        _time.Advance(TimeSpan.FromSeconds(15));
        await Task.Delay(50, cancellationToken);
        var stillWaiting = !call.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(5));
        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await call);

        Assert.Multiple(() =>
        {
            Assert.That(stillWaiting, Is.True, "still waiting after the usual 10 s attempt timeout");
            Assert.That(_agent.Requests, Has.Count.EqualTo(1));
            Assert.That(failure.StatusCode, Is.Null);
            Assert.That(failure.Message, Is.EqualTo(
                $"PUT /v1/endpoint/cilium-local:0 failed: Cilium agent at {_agent.Endpoint.SocketPath} gave no usable answer within 20 s (1 attempts; last: no answer); the agent may still carry it out, so it was not repeated: see the cilium-agent log"));
        });
    }

    [Test]
    public async Task GetConfigAsync_BudgetExhausted_FailsNamingTheSocketAndTheLastFailure(CancellationToken cancellationToken)
    {
        using var client = CreateClient(attemptTimeout: TimeSpan.FromSeconds(10), totalBudget: TimeSpan.FromSeconds(15));
        _agent.DefaultResponse = FakeAgentResponse.Hang();

        var call = client.GetConfigAsync(cancellationToken);
        await _agent.WaitForRequestAsync(1, cancellationToken);
        _time.Advance(TimeSpan.FromSeconds(10));
        await _agent.WaitForRequestAsync(2, cancellationToken);
        _time.Advance(TimeSpan.FromSeconds(5));
        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await call);

        Assert.Multiple(() =>
        {
            Assert.That(failure.StatusCode, Is.Null);
            Assert.That(failure.Message, Is.EqualTo(
                $"GET /v1/config failed: Cilium agent at {_agent.Endpoint.SocketPath} gave no usable answer within 15 s (2 attempts; last: no answer within 10 s): see the cilium-agent log"));
            Assert.That(_statistics.Failures, Is.EqualTo(1));
            Assert.That(_statistics.Unreachable, Is.Zero, "the agent was reached, it just did not answer");
        });
    }

    [Test]
    public async Task AllocateAsync_TakenAfterAnUnansweredAttempt_SaysTheAddressMayBeItsOwn(CancellationToken cancellationToken)
    {
        using var client = CreateClient(attemptTimeout: TimeSpan.FromSeconds(10), totalBudget: TimeSpan.FromSeconds(20));
        _agent.Enqueue(FakeAgentResponse.Hang(), FakeAgentResponse.Error(500, "IP 10.15.0.7 is already allocated"));

        var call = client.AllocateAsync("10.15.0.7", "docker-ipam", "default", cancellationToken);
        await _agent.WaitForRequestAsync(1, cancellationToken);
        _time.Advance(TimeSpan.FromSeconds(10));
        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await call);

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Requests, Has.Count.EqualTo(2));
            Assert.That(failure.StatusCode, Is.EqualTo(500));
            Assert.That(failure.Message, Does.Contain("IP 10.15.0.7 is already allocated (after 2 attempts)"));
            Assert.That(failure.Message, Does.EndWith(
                "an earlier attempt of this request got no answer and may itself have reserved 10.15.0.7 (owner 'docker-ipam'); release it if no container uses it"));
        });
    }

    [Test]
    public void AllocateAsync_TakenAtFirstAttempt_IsTheAgentsVerdict()
    {
        _agent.Enqueue(FakeAgentResponse.Error(500, "IP 10.15.0.7 is already allocated"), FakeAgentResponse.Empty(200));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await _client.AllocateAsync("10.15.0.7", "docker-ipam", "default", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Requests, Has.Count.EqualTo(1));
            Assert.That(failure.Message, Does.Not.Contain("earlier attempt"));
        });
    }

    [Test]
    public async Task GetConfigAsync_CallerCancels_ThrowsOperationCanceled(CancellationToken cancellationToken)
    {
        _agent.DefaultResponse = FakeAgentResponse.Hang();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var call = _client.GetConfigAsync(caller.Token);
        await _agent.WaitForRequestAsync(1, cancellationToken);
        await caller.CancelAsync();

        Assert.Multiple(() =>
        {
            Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
            Assert.That(_statistics.Failures, Is.Zero);
        });
    }

    [Test]
    public void GetConfigAsync_RetriesDisabled_AsksOnce()
    {
        var options = AgentClientTestKit.Options(_agent.Endpoint);
        using var client = AgentClientTestKit.Create(
            new AgentClientOptions { Endpoint = options.Endpoint, AttemptTimeout = options.AttemptTimeout, TotalBudget = options.TotalBudget, MaxRetryAttempts = 0 },
            _time,
            _statistics);
        _agent.Enqueue(FakeAgentResponse.Error(500, "kvstore not ready"), FakeAgentResponse.Json(200, AgentClientTestKit.ConfigJson));

        var failure = Assert.ThrowsAsync<CiliumAgentException>(async () => await client.GetConfigAsync(CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure.StatusCode, Is.EqualTo(500));
            Assert.That(_agent.Requests, Has.Count.EqualTo(1));
        });
    }

    private CiliumAgentClient CreateClient(TimeSpan attemptTimeout, TimeSpan totalBudget) =>
        AgentClientTestKit.Create(
            new AgentClientOptions
            {
                Endpoint = _agent.Endpoint,
                AttemptTimeout = attemptTimeout,
                TotalBudget = totalBudget,
                RetryBaseDelay = TimeSpan.Zero,
            },
            _time,
            _statistics);
}
