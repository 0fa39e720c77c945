using System.Text.Json;
using CiliumDocker.Agent;
using CiliumDocker.Labels;
using CiliumDocker.Observability;
using CiliumDocker.Protocol;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Protocol;

internal sealed class HealthAndMetricsTests
{
    private PluginHarness _harness = null!;
    private FakeLabelWatcherStatus _labels = null!;
    private AgentCallStatistics _statistics = null!;
    private HealthEndpoint _health = null!;
    private MetricsEndpoint _metrics = null!;

    [SetUp]
    public void SetUp()
    {
        _harness = new PluginHarness();
        _labels = _harness.Labels;
        _labels.State = LabelWatcherState.Watching;
        _labels.EndpointsLabelled = 3;
        _statistics = _harness.Agent.Statistics;
        _statistics.RecordDelivered();
        _health = _harness.Get<HealthEndpoint>();
        _metrics = _harness.Get<MetricsEndpoint>();
    }

    [TearDown]
    public void TearDown() => _harness.Dispose();

    [Test]
    public void Build_ConfigFetched_IsHealthyWithConfigAge()
    {
        _harness.Time.Advance(TimeSpan.FromSeconds(12));

        var report = _health.Build();

        Assert.Multiple(() =>
        {
            Assert.That(report.Healthy, Is.True);
            Assert.That(report.Agent, Is.EqualTo(new AgentHealth(true, FakeAgentConfig.Socket, 12, null, UnreachableForSeconds: null, CallsWaitForAgent: true)));
            Assert.That(report.Labels, Is.EqualTo(new LabelWatcherHealth("Watching", 3, null)));
        });
    }

    [Test]
    public void Build_MonitorFailing_IsUnhealthyAndShowsItsError()
    {
        _harness.Config.LastError = "cannot reach the agent";

        var report = _health.Build();

        Assert.That((report.Healthy, report.Agent.LastError), Is.EqualTo((false, "cannot reach the agent")));
    }

    [Test]
    public async Task Build_CountsOwedWork()
    {
        _harness.Agent.Unreachable = true;
        await _harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);

        var report = _health.Build();

        Assert.Multiple(() =>
        {
            Assert.That(report.Cleanup.PendingEndpointDeletions, Is.EqualTo(1));
            Assert.That(report.Agent.Reachable, Is.False);
            Assert.That(report.Healthy, Is.False);
        });
    }

    [Test]
    public void Report_SerializesWithCamelCaseKeys()
    {
        var json = JsonSerializer.Serialize(_health.Build(), ObservabilityJsonContext.Default.HealthReport);

        using var document = JsonDocument.Parse(json);
        Assert.That(document.RootElement.EnumerateObject().Select(property => property.Name), Is.EqualTo(new[] { "healthy", "version", "agent", "labels", "cleanup", "counters" }));
    }

    [Test]
    public void Render_IsValidPrometheusTextWithHelpAndTypeForEveryFamily()
    {
        _harness.Metrics.RecordCall("NetworkDriver.Join", CallOutcome.Success, TimeSpan.FromMilliseconds(3));
        _statistics.RecordCall();

        var text = _metrics.Render();

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var families = lines.Where(line => line.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(line => line.Split(' ')[2]).ToList();
        var samples = lines.Where(line => !line.StartsWith('#')).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.EndWith("\n"));
            Assert.That(families, Is.Unique);
            Assert.That(samples, Has.All.Match(@"^cilium_docker_[a-z_]+(\{[^}]*\})? -?[0-9.e+E-]+$|^cilium_docker_[a-z_]+(\{[^}]*\})? \+Inf$"));
            Assert.That(samples, Does.Contain("cilium_docker_requests_total{method=\"NetworkDriver.Join\",outcome=\"success\"} 1"));
            Assert.That(samples, Does.Contain("cilium_docker_request_duration_seconds_bucket{method=\"NetworkDriver.Join\",le=\"+Inf\"} 1"));
            Assert.That(samples, Does.Contain("cilium_docker_agent_calls_total 1"));
            Assert.That(samples, Does.Contain("cilium_docker_label_watcher_state{state=\"Watching\"} 1"));
            Assert.That(samples, Does.Contain("cilium_docker_agent_reachable 1"));
        });
    }
}
