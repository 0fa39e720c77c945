using System.Net;
using CiliumDocker.Labels;
using NUnit.Framework;

namespace CiliumDocker.Tests.Labels;

[TestFixture]
internal sealed class DockerApiClientTests
{
    private FakeDockerApi _docker = null!;
    private DockerApiClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _docker = await FakeDockerApi.StartAsync(FakeDockerApi.NewSocketPath());
        _client = new DockerApiClient(DockerHost.Parse("unix://" + _docker.SocketPath), TimeSpan.FromSeconds(5), TimeProvider.System);
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        await _docker.DisposeAsync();
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task NegotiateApiVersionAsync_EngineOlderThanClient_UsesEngineVersion(CancellationToken cancellationToken)
    {
        _docker.PingApiVersion = "1.41";

        var version = await _client.NegotiateApiVersionAsync(cancellationToken);
        await _client.ListRunningContainersAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(version, Is.EqualTo("1.41"));
            Assert.That(_docker.Requests, Has.Some.StartsWith("GET /v1.41/containers/json"));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task NegotiateApiVersionAsync_EngineNewerThanClient_CapsAtClientMaximum(CancellationToken cancellationToken)
    {
        _docker.PingApiVersion = "1.52";

        var version = await _client.NegotiateApiVersionAsync(cancellationToken);
        await _client.InspectContainerAsync("abc", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(version, Is.EqualTo(DockerApiClient.MaxApiVersion.ToString(2)));
            Assert.That(_docker.Requests, Has.Some.EqualTo($"GET /v{DockerApiClient.MaxApiVersion.ToString(2)}/containers/abc/json"));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task NegotiateApiVersionAsync_PingWithoutHeader_FallsBackToVersionEndpoint(CancellationToken cancellationToken)
    {
        _docker.PingApiVersion = null;
        _docker.VersionApiVersion = "1.40";

        var version = await _client.NegotiateApiVersionAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(version, Is.EqualTo("1.40"));
            Assert.That(_docker.Requests, Is.EqualTo(new[] { "GET /_ping", "GET /version" }));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public void NegotiateApiVersionAsync_NoVersionAnywhere_ThrowsNamingTheHost(CancellationToken cancellationToken)
    {
        _docker.PingApiVersion = "garbage";
        _docker.VersionApiVersion = "also-garbage";

        var ex = Assert.ThrowsAsync<DockerApiException>(() => _client.NegotiateApiVersionAsync(cancellationToken));

        Assert.That(ex!.Message, Does.Contain(_docker.SocketPath).And.Contain("API version"));
    }

    [Test]
    public void ListRunningContainersAsync_BeforeNegotiation_Throws()
    {
        Assert.ThrowsAsync<InvalidOperationException>(() => _client.ListRunningContainersAsync(CancellationToken.None));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task InspectContainerAsync_Known_ReadsTheFieldsTheWatcherNeeds(CancellationToken cancellationToken)
    {
        _docker.AddContainer("c1", FakeDockerApi.ContainerJson(
            "c1", "web", "sha256:img", new Dictionary<string, string> { ["id"] = "app1" }, new Dictionary<string, string> { ["cilium-net"] = "ep1" }));
        await _client.NegotiateApiVersionAsync(cancellationToken);

        var container = await _client.InspectContainerAsync("c1", cancellationToken);

        Assert.That(container, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(container!.Id, Is.EqualTo("c1"));
            Assert.That(container.Name, Is.EqualTo("/web"));
            Assert.That(container.Image, Is.EqualTo("sha256:img"));
            Assert.That(container.Config?.Image, Is.EqualTo("busybox:latest"));
            Assert.That(container.Config?.Labels, Is.EquivalentTo(new Dictionary<string, string?> { ["id"] = "app1" }));
            Assert.That(container.NetworkSettings?.Networks?["cilium-net"]?.EndpointId, Is.EqualTo("ep1"));
            Assert.That(container.NetworkSettings?.Networks?["cilium-net"]?.NetworkId, Is.EqualTo("net-cilium-net"));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task InspectAsync_Unknown_IsNull(CancellationToken cancellationToken)
    {
        await _client.NegotiateApiVersionAsync(cancellationToken);

        Assert.Multiple(async () =>
        {
            Assert.That(await _client.InspectContainerAsync("nope", cancellationToken), Is.Null);
            Assert.That(await _client.InspectImageAsync("sha256:nope", cancellationToken), Is.Null);
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task InspectImageAsync_ImageId_IsSentWithItsColon(CancellationToken cancellationToken)
    {
        _docker.AddImage("sha256:img", FakeDockerApi.ImageJson("sha256:img", new Dictionary<string, string> { ["tier"] = "web" }));
        await _client.NegotiateApiVersionAsync(cancellationToken);

        var image = await _client.InspectImageAsync("sha256:img", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(image?.Config?.Labels, Is.EquivalentTo(new Dictionary<string, string?> { ["tier"] = "web" }));
            Assert.That(_docker.Requests, Has.Some.EqualTo("GET /v1.41/images/sha256:img/json"));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task InspectImageAsync_NameWithRegistryAndTag_IsEscapedButKeepsColons(CancellationToken cancellationToken)
    {
        _docker.AddImage("registry:5000/team/app:1.0", FakeDockerApi.ImageJson("sha256:x"));
        await _client.NegotiateApiVersionAsync(cancellationToken);

        var image = await _client.InspectImageAsync("registry:5000/team/app:1.0", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(image, Is.Not.Null);
            Assert.That(_docker.Requests, Has.Some.EqualTo("GET /v1.41/images/registry:5000%2Fteam%2Fapp:1.0/json"));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ListRunningContainersAsync_FiltersOnRunningStatus(CancellationToken cancellationToken)
    {
        _docker.AddContainer("c1", FakeDockerApi.ContainerJson("c1", "a", "sha256:i"));
        _docker.AddContainer("c2", FakeDockerApi.ContainerJson("c2", "b", "sha256:i"), running: false);
        await _client.NegotiateApiVersionAsync(cancellationToken);

        var running = await _client.ListRunningContainersAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(running.Select(c => c.Id), Is.EqualTo(new[] { "c1" }));
            Assert.That(_docker.Requests, Has.Some.EqualTo("GET /v1.41/containers/json?filters=%7B%22status%22%3A%7B%22running%22%3Atrue%7D%7D"));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task OpenContainerStartEventsAsync_AsksForContainerStartsOnly(CancellationToken cancellationToken)
    {
        await _client.NegotiateApiVersionAsync(cancellationToken);

        using var response = await _client.OpenContainerStartEventsAsync(cancellationToken);

        Assert.That(_docker.Requests, Has.Some.EqualTo(
            "GET /v1.41/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%2C%22event%22%3A%7B%22start%22%3Atrue%7D%7D"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Call_ErrorStatus_ThrowsWithDockersMessageAndStatus(CancellationToken cancellationToken)
    {
        _docker.Overrides["/containers/json"] = (500, """{"message":"the daemon is shutting down"}""");
        await _client.NegotiateApiVersionAsync(cancellationToken);

        var ex = Assert.ThrowsAsync<DockerApiException>(() => _client.ListRunningContainersAsync(cancellationToken));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(ex.IsTransient, Is.True);
            Assert.That(ex.Message, Does.Contain(_docker.SocketPath).And.Contain("500").And.Contain("the daemon is shutting down"));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task Call_BodyNotJson_ThrowsSayingSo(CancellationToken cancellationToken)
    {
        _docker.Overrides["/containers/c1/json"] = (200, "<html>proxy</html>");
        await _client.NegotiateApiVersionAsync(cancellationToken);

        var ex = Assert.ThrowsAsync<DockerApiException>(() => _client.InspectContainerAsync("c1", cancellationToken));

        Assert.That(ex!.Message, Does.Contain("not the expected JSON"));
    }

    [Test]
    [CancelAfter(10_000)]
    public void Call_SocketMissing_ThrowsTransientErrorNamingTheSocket(CancellationToken cancellationToken)
    {
        var path = FakeDockerApi.NewSocketPath();
        using var client = new DockerApiClient(DockerHost.Parse("unix://" + path), TimeSpan.FromSeconds(5), TimeProvider.System);

        var ex = Assert.ThrowsAsync<DockerApiException>(() => client.NegotiateApiVersionAsync(cancellationToken));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.Null);
            Assert.That(ex.IsTransient, Is.True);
            Assert.That(ex.Message, Does.Contain("could not be reached").And.Contain(path));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public void Call_EngineNotAnswering_TimesOutWithClearMessage(CancellationToken cancellationToken)
    {
        var never = new TaskCompletionSource();
        _docker.PingGate = never.Task;
        using var impatient = new DockerApiClient(DockerHost.Parse("unix://" + _docker.SocketPath), TimeSpan.FromMilliseconds(200), TimeProvider.System);

        var ex = Assert.ThrowsAsync<DockerApiException>(() => impatient.NegotiateApiVersionAsync(cancellationToken));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("did not answer GET /_ping within 0.2 s"));
            Assert.That(ex.IsTransient, Is.True);
        });
        never.SetResult();
    }

    [TestCase(HttpStatusCode.BadRequest, false)]
    [TestCase(HttpStatusCode.NotFound, false)]
    [TestCase(HttpStatusCode.TooManyRequests, true)]
    [TestCase(HttpStatusCode.InternalServerError, true)]
    [TestCase(HttpStatusCode.ServiceUnavailable, true)]
    public void IsTransient_ByStatus_OnlyServerSideAndThrottlingRetry(HttpStatusCode status, bool expected)
    {
        Assert.That(new DockerApiException("x", status).IsTransient, Is.EqualTo(expected));
    }
}
