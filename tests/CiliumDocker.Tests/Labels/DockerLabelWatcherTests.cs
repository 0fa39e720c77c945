using CiliumDocker.Agent;
using CiliumDocker.Labels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Labels;

[TestFixture]
internal sealed class DockerLabelWatcherTests
{
    private const string ImageId = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static readonly DockerLabelWatcherOptions FastOptions = new()
    {
        ReconnectDelay = TimeSpan.FromMilliseconds(5),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(50),
        SocketRecheckInterval = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(5),
        LabelRetryAttempts = 3,
        LabelRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxLabelRetryDelay = TimeSpan.FromMilliseconds(5),
    };

    private readonly List<DockerLabelWatcher> _watchers = [];
    private readonly List<FakeDockerApi> _dockers = [];
    private RecordingCiliumAgent _agent = null!;

    [SetUp]
    public void SetUp() => _agent = new RecordingCiliumAgent();

    [TearDown]
    public async Task TearDown()
    {
        // Watchers first, so no reconnect races the fake daemons going away.
        foreach (var watcher in _watchers)
        {
            await watcher.StopAsync(CancellationToken.None);
            watcher.Dispose();
        }

        foreach (var docker in _dockers)
        {
            await docker.DisposeAsync();
        }

        _watchers.Clear();
        _dockers.Clear();
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task StartEvent_ContainerOnCiliumNetwork_PatchesEndpointWithMergedLabels(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var id = ContainerId('a');
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId, new Dictionary<string, string> { ["id"] = "from-image", ["tier"] = "web" }));
        docker.AddContainer(id, FakeDockerApi.ContainerJson(id, "app1", ImageId, new Dictionary<string, string> { ["id"] = "app1", ["debug"] = string.Empty }, Networks(("cilium-net", "ep1"))), running: false);
        _agent.AddDockerEndpoint("ep1");
        var watcher = await StartWatchingAsync(docker, cancellationToken);

        docker.PushEventLine(FakeDockerApi.StartEvent(id));
        await Eventually.WaitUntilAsync(() => _agent.Accepted.Count == 1, "the endpoint is patched", cancellationToken);

        var patch = _agent.Accepted[0];
        Assert.Multiple(() =>
        {
            Assert.That(patch.Id, Is.EqualTo("docker-endpoint:ep1"));
            Assert.That(patch.Request.ContainerId, Is.EqualTo(id));
            Assert.That(patch.Request.ContainerName, Is.EqualTo("app1"));
            Assert.That(patch.Request.Labels, Is.EqualTo(new[] { "container:debug", "container:id=app1", "container:tier=web" }));
            Assert.That(patch.Request.State, Is.EqualTo("waiting-for-identity"));
            Assert.That(patch.Request.DockerEndpointId, Is.Null);
            Assert.That(watcher.EndpointsLabelled, Is.EqualTo(1));
            Assert.That(watcher.State, Is.EqualTo(LabelWatcherState.Watching));
            Assert.That(watcher.LastError, Is.Null);
            Assert.That(docker.Requests, Has.Some.StartsWith("GET /v1.41/events?"));
            Assert.That(docker.Requests, Has.Some.EqualTo($"GET /v1.41/images/{ImageId}/json"));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task StartEvent_ContainerOnTwoCiliumNetworksAndBridge_PatchesEachCiliumEndpoint(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var id = ContainerId('b');
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        docker.AddContainer(id, FakeDockerApi.ContainerJson(id, "multi", ImageId, new Dictionary<string, string> { ["id"] = "app2" }, Networks(("bridge", "ep-bridge"), ("cnet1", "ep-c1"), ("cnet2", "ep-c2"))), running: false);
        _agent.AddDockerEndpoint("ep-c1");
        _agent.AddDockerEndpoint("ep-c2");
        var watcher = await StartWatchingAsync(docker, cancellationToken);

        docker.PushEventLine(FakeDockerApi.StartEvent(id));
        await Eventually.WaitUntilAsync(() => watcher.EndpointsLabelled == 2, "both Cilium endpoints are patched", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Accepted.Select(p => p.Id), Is.EquivalentTo(new[] { "docker-endpoint:ep-c1", "docker-endpoint:ep-c2" }));
            Assert.That(_agent.Accepted.Select(p => p.Request.Labels), Has.All.EqualTo(new[] { "container:id=app2" }));
            Assert.That(_agent.Attempts.Where(a => a.Outcome == PatchOutcome.NotFound).Select(a => a.Id), Is.EqualTo(new[] { "docker-endpoint:ep-bridge" }));
            Assert.That(watcher.LastError, Is.Null);
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task Start_ContainersAlreadyRunning_AreLabelledWithoutEvents(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        docker.AddContainer(ContainerId('1'), FakeDockerApi.ContainerJson(ContainerId('1'), "one", ImageId, null, Networks(("cnet", "ep1"))));
        docker.AddContainer(ContainerId('2'), FakeDockerApi.ContainerJson(ContainerId('2'), "two", ImageId, null, Networks(("cnet", "ep2"))));
        docker.AddContainer(ContainerId('3'), FakeDockerApi.ContainerJson(ContainerId('3'), "stopped", ImageId, null, Networks(("cnet", "ep3"))), running: false);
        _agent.AddDockerEndpoint("ep1");
        _agent.AddDockerEndpoint("ep2");
        _agent.AddDockerEndpoint("ep3");

        var watcher = await StartWatchingAsync(docker, cancellationToken);
        await Eventually.WaitUntilAsync(() => watcher.EndpointsLabelled == 2, "the running containers are labelled", cancellationToken);

        Assert.That(_agent.Accepted.Select(p => p.Request.ContainerName), Is.EquivalentTo(new[] { "one", "two" }));
    }

    [TestCase(true)]
    [TestCase(false)]
    [CancelAfter(20_000)]
    public async Task EventStreamEnds_Reconnects_AndLabelsContainersStartedMeanwhile(bool abort, CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        _agent.AddDockerEndpoint("ep-late");
        var watcher = await StartWatchingAsync(docker, cancellationToken);
        await Eventually.WaitUntilAsync(() => docker.Requests.Any(r => r.StartsWith("GET /v1.41/containers/json", StringComparison.Ordinal)), "the first resync ran", cancellationToken);

        // Hold the reconnect at its ping until the container exists, so only the second resync can see it.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        docker.PingGate = gate.Task;
        docker.EndEventStreams(abort);
        await Eventually.WaitUntilAsync(() => docker.Requests.Count(r => r == "GET /_ping") == 2, "the watcher reconnects", cancellationToken);
        docker.AddContainer(ContainerId('c'), FakeDockerApi.ContainerJson(ContainerId('c'), "late", ImageId, null, Networks(("cnet", "ep-late"))));
        gate.SetResult();

        await Eventually.WaitUntilAsync(() => watcher.EndpointsLabelled == 1, "the container started while disconnected is labelled", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(docker.EventSubscriptions, Is.EqualTo(2));
            Assert.That(watcher.State, Is.EqualTo(LabelWatcherState.Watching));
            Assert.That(_agent.Accepted.Single().Request.ContainerName, Is.EqualTo("late"));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task MalformedEvents_AreSkipped_AndTheStreamKeepsGoing(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var id = ContainerId('d');
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        docker.AddContainer(id, FakeDockerApi.ContainerJson(id, "after-garbage", ImageId, null, Networks(("cnet", "ep1"))), running: false);
        _agent.AddDockerEndpoint("ep1");
        var watcher = await StartWatchingAsync(docker, cancellationToken);

        docker.PushEventLine("this is not json");
        docker.PushEventLine("{\"Type\":\"container\",\"Action\":");
        docker.PushEventLine("""{"Type":"container","Action":"start","Actor":{"ID":""}}""");
        docker.PushEventLine("""{"Type":"network","Action":"start","Actor":{"ID":"not-a-container"}}""");
        docker.PushEventLine(FakeDockerApi.StartEvent(id));
        await Eventually.WaitUntilAsync(() => watcher.EndpointsLabelled == 1, "the valid event after the bad ones is handled", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(docker.EventSubscriptions, Is.EqualTo(1), "the bad lines must not cost the stream");
            Assert.That(watcher.LastError, Does.Contain("not valid JSON"));
            Assert.That(docker.Requests, Has.None.Contains("not-a-container"));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task SocketMissingAtStart_IsDisabled_UntilItAppearsAtTheNextCheck(CancellationToken cancellationToken)
    {
        var socketPath = FakeDockerApi.NewSocketPath();
        var time = new FakeTimeProvider();
        var options = new DockerLabelWatcherOptions { SocketRecheckInterval = TimeSpan.FromSeconds(30), RequestTimeout = TimeSpan.FromSeconds(5) };
        var watcher = await StartWatcherAsync(socketPath, cancellationToken, options, time);
        await Eventually.WaitUntilAsync(() => watcher.State == LabelWatcherState.Disabled, "the watcher reports disabled", cancellationToken);
        Assert.That(watcher.LastError, Does.Contain($"{socketPath} does not exist"));

        var docker = await StartDockerAsync(socketPath);
        Assert.That(watcher.State, Is.EqualTo(LabelWatcherState.Disabled), "nothing looks before the recheck interval");
        while (watcher.State != LabelWatcherState.Watching)
        {
            if (watcher.State == LabelWatcherState.Disabled)
            {
                time.Advance(options.SocketRecheckInterval);
            }

            await Task.Delay(10, cancellationToken);
        }

        Assert.Multiple(() =>
        {
            Assert.That(docker.EventSubscriptions, Is.EqualTo(1));
            Assert.That(watcher.LastError, Is.Null);
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task DockerRestart_SocketGoneAfterConnecting_ReconnectsToTheNewDaemon(CancellationToken cancellationToken)
    {
        var first = await StartDockerAsync();
        var socketPath = first.SocketPath;
        var watcher = await StartWatcherAsync(socketPath, cancellationToken);
        await Eventually.WaitUntilAsync(() => watcher.State == LabelWatcherState.Watching, "the watcher watches", cancellationToken);

        await first.DisposeAsync();
        await Eventually.WaitUntilAsync(() => watcher.LastError?.Contains("does not exist", StringComparison.Ordinal) == true, "the missing socket is noticed", cancellationToken);
        Assert.That(watcher.State, Is.EqualTo(LabelWatcherState.Connecting), "a socket lost after connecting is a restart, not a missing mount");

        var second = await StartDockerAsync(socketPath);
        var id = ContainerId('e');
        second.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        second.AddContainer(id, FakeDockerApi.ContainerJson(id, "new", ImageId, null, Networks(("cnet", "ep-new"))), running: false);
        _agent.AddDockerEndpoint("ep-new");
        await Eventually.WaitUntilAsync(() => second.OpenEventStreams == 1, "the watcher subscribes to the new daemon", cancellationToken);
        second.PushEventLine(FakeDockerApi.StartEvent(id));

        await Eventually.WaitUntilAsync(() => watcher.EndpointsLabelled == 1, "a container of the new daemon is labelled", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(watcher.State, Is.EqualTo(LabelWatcherState.Watching));
            Assert.That(watcher.LastError, Is.Null, "the outage is over");
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task DockerAcceptsButDoesNotAnswer_StaysConnectingWithTheReason_ThenWatches(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        docker.PingGate = gate.Task;
        var options = new DockerLabelWatcherOptions
        {
            ReconnectDelay = TimeSpan.FromMilliseconds(5),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(20),
            RequestTimeout = TimeSpan.FromMilliseconds(250),
        };
        var watcher = await StartWatcherAsync(docker.SocketPath, cancellationToken, options);

        await Eventually.WaitUntilAsync(() => watcher.LastError?.Contains("did not answer GET /_ping", StringComparison.Ordinal) == true, "the timeout is reported", cancellationToken);
        Assert.That(watcher.State, Is.EqualTo(LabelWatcherState.Connecting));

        gate.SetResult();
        await Eventually.WaitUntilAsync(() => watcher.State == LabelWatcherState.Watching, "the watcher watches once Docker answers", cancellationToken);
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task EngineNewerThanClient_EventsAreReadWithTheClientsMaximumVersion(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        docker.PingApiVersion = "1.52";

        var watcher = await StartWatchingAsync(docker, cancellationToken);
        await Eventually.WaitUntilAsync(() => watcher.State == LabelWatcherState.Watching, "the watcher watches", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(watcher.ApiVersion, Is.EqualTo("1.47"));
            Assert.That(docker.Requests, Has.Some.StartsWith("GET /v1.47/events?"));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task PatchFailsWhileAgentRestarts_IsRetried_ThenSucceeds(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var id = ContainerId('f');
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        docker.AddContainer(id, FakeDockerApi.ContainerJson(id, "patient", ImageId, null, Networks(("cnet", "ep1"))), running: false);
        _agent.AddDockerEndpoint("ep1");
        _agent.FailNextPatches("ep1", new CiliumAgentException("agent unreachable", AgentFailure.Unreachable), new CiliumAgentException("agent restarting", AgentFailureFacts.FromStatus(503), 503));
        var watcher = await StartWatchingAsync(docker, cancellationToken);

        docker.PushEventLine(FakeDockerApi.StartEvent(id));
        await Eventually.WaitUntilAsync(() => watcher.EndpointsLabelled == 1, "the PATCH succeeds after retries", cancellationToken);

        Assert.That(_agent.Attempts.Select(a => a.Outcome), Is.EqualTo(new[] { PatchOutcome.Failed, PatchOutcome.Failed, PatchOutcome.Accepted }));
    }

    /// <summary>The agent client has already retried each PATCH within its budget: the watcher queues the container
    /// again a bounded number of times instead of retrying on top, and then leaves it to the next resync.</summary>
    [Test]
    [CancelAfter(20_000)]
    public async Task PatchKeepsFailingTransiently_IsQueuedAgainBoundedTimes_ThenGivenUp(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var id = ContainerId('9');
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        docker.AddContainer(id, FakeDockerApi.ContainerJson(id, "unlucky", ImageId, null, Networks(("cnet", "ep1"))), running: false);
        _agent.AddDockerEndpoint("ep1");
        _agent.FailNextPatches("ep1", [.. Enumerable.Range(0, 10).Select(_ => new CiliumAgentException("agent unreachable", AgentFailure.Unreachable))]);
        var watcher = await StartWatchingAsync(docker, cancellationToken);

        docker.PushEventLine(FakeDockerApi.StartEvent(id));
        await Eventually.WaitUntilAsync(() => _agent.Attempts.Count == 1 + FastOptions.LabelRetryAttempts, "the container is queued again after each failure", cancellationToken);
        await Task.Delay(200, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Attempts, Has.Count.EqualTo(1 + FastOptions.LabelRetryAttempts), "no more tries after the last one");
            Assert.That(watcher.EndpointsLabelled, Is.Zero);
            Assert.That(watcher.LastError, Does.Contain("agent unreachable"));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task PatchRejected_IsNotRetried_AndIsReported_AndOtherContainersAreStillLabelled(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var rejected = ContainerId('1');
        var fine = ContainerId('2');
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        docker.AddContainer(rejected, FakeDockerApi.ContainerJson(rejected, "rejected", ImageId, null, Networks(("cnet", "ep1"))), running: false);
        docker.AddContainer(fine, FakeDockerApi.ContainerJson(fine, "fine", ImageId, null, Networks(("cnet", "ep2"))), running: false);
        _agent.AddDockerEndpoint("ep1");
        _agent.AddDockerEndpoint("ep2");
        _agent.FailNextPatches("ep1", new CiliumAgentException("invalid labels", AgentFailureFacts.FromStatus(400), 400), new CiliumAgentException("must not be reached", AgentFailureFacts.FromStatus(400), 400));
        var watcher = await StartWatchingAsync(docker, cancellationToken);

        docker.PushEventLine(FakeDockerApi.StartEvent(rejected));
        docker.PushEventLine(FakeDockerApi.StartEvent(fine));
        await Eventually.WaitUntilAsync(() => watcher.LastError?.Contains(rejected, StringComparison.Ordinal) == true, "the rejection is reported", cancellationToken);
        await Eventually.WaitUntilAsync(() => watcher.EndpointsLabelled == 1, "the other container is labelled", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Attempts.Count(a => a.Id == "docker-endpoint:ep1"), Is.EqualTo(1));
            Assert.That(watcher.LastError, Does.Contain("invalid labels"));
            Assert.That(_agent.Accepted.Single().Request.ContainerName, Is.EqualTo("fine"));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task PatchRejectedOnOneNetwork_TheContainersOtherNetworkIsStillLabelled(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var id = ContainerId('5');
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        docker.AddContainer(id, FakeDockerApi.ContainerJson(id, "half", ImageId, null, Networks(("cnet1", "ep1"), ("cnet2", "ep2"))), running: false);
        _agent.AddDockerEndpoint("ep1");
        _agent.AddDockerEndpoint("ep2");
        _agent.FailNextPatches("ep1", new CiliumAgentException("endpoint is being deleted", AgentFailureFacts.FromStatus(400), 400));
        var watcher = await StartWatchingAsync(docker, cancellationToken);

        docker.PushEventLine(FakeDockerApi.StartEvent(id));
        await Eventually.WaitUntilAsync(() => watcher.LastError is not null, "the rejection is reported", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(_agent.Accepted.Select(p => p.Id), Is.EqualTo(new[] { "docker-endpoint:ep2" }));
            Assert.That(watcher.EndpointsLabelled, Is.EqualTo(1));
            Assert.That(watcher.LastError, Does.Contain("network cnet1").And.Contain("endpoint is being deleted"));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task StartEvent_ContainerAlreadyGone_IsSkippedQuietly(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var id = ContainerId('9');
        docker.AddImage(ImageId, FakeDockerApi.ImageJson(ImageId));
        docker.AddContainer(id, FakeDockerApi.ContainerJson(id, "present", ImageId, null, Networks(("cnet", "ep1"))), running: false);
        _agent.AddDockerEndpoint("ep1");
        var watcher = await StartWatchingAsync(docker, cancellationToken);

        docker.PushEventLine(FakeDockerApi.StartEvent(ContainerId('0')));
        docker.PushEventLine(FakeDockerApi.StartEvent(id));
        await Eventually.WaitUntilAsync(() => watcher.EndpointsLabelled == 1, "the present container is labelled", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(docker.Requests, Has.Some.EqualTo($"GET /v1.41/containers/{ContainerId('0')}/json"));
            Assert.That(_agent.Attempts, Has.Count.EqualTo(1));
            Assert.That(watcher.LastError, Is.Null);
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task StartEvent_ImageRemoved_AppliesContainerLabelsOnly(CancellationToken cancellationToken)
    {
        var docker = await StartDockerAsync();
        var id = ContainerId('7');
        docker.AddContainer(id, FakeDockerApi.ContainerJson(id, "orphan", ImageId, new Dictionary<string, string> { ["id"] = "app3" }, Networks(("cnet", "ep1"))), running: false);
        _agent.AddDockerEndpoint("ep1");
        var watcher = await StartWatchingAsync(docker, cancellationToken);

        docker.PushEventLine(FakeDockerApi.StartEvent(id));
        await Eventually.WaitUntilAsync(() => watcher.EndpointsLabelled == 1, "the container is labelled", cancellationToken);

        Assert.That(_agent.Accepted.Single().Request.Labels, Is.EqualTo(new[] { "container:id=app3" }));
    }

    private static string ContainerId(char c) => new(c, 64);

    private static Dictionary<string, string> Networks(params (string Network, string EndpointId)[] entries) =>
        entries.ToDictionary(e => e.Network, e => e.EndpointId);

    private async Task<FakeDockerApi> StartDockerAsync(string? socketPath = null)
    {
        var docker = await FakeDockerApi.StartAsync(socketPath ?? FakeDockerApi.NewSocketPath());
        _dockers.Add(docker);
        return docker;
    }

    /// <summary>Starts a watcher and waits until its events stream is open, so that pushed events reach it.</summary>
    private async Task<DockerLabelWatcher> StartWatchingAsync(FakeDockerApi docker, CancellationToken cancellationToken)
    {
        var watcher = await StartWatcherAsync(docker.SocketPath, cancellationToken);
        await Eventually.WaitUntilAsync(() => docker.OpenEventStreams == 1, "the watcher subscribes to events", cancellationToken);
        return watcher;
    }

    private async Task<DockerLabelWatcher> StartWatcherAsync(string socketPath, CancellationToken cancellationToken, DockerLabelWatcherOptions? options = null, TimeProvider? timeProvider = null)
    {
        var watcher = new DockerLabelWatcher(
            DockerHost.Parse("unix://" + socketPath),
            _agent,
            options ?? FastOptions,
            timeProvider ?? TimeProvider.System,
            NullLogger<DockerLabelWatcher>.Instance);
        await watcher.StartAsync(cancellationToken);
        _watchers.Add(watcher);
        return watcher;
    }
}
