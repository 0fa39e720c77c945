using CiliumDocker.Hosting;
using CiliumDocker.Tests.TestDoubles;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace CiliumDocker.Tests.Hosting;

[CancelAfter(10_000)]
internal sealed class JanitorServiceTests
{
    [Test]
    public async Task Service_EveryInterval_RetriesOwedEndpointDeletionsAndReleases()
    {
        using var harness = new PluginHarness();
        var options = new PluginOptions { JanitorInterval = TimeSpan.FromSeconds(5) };
        using var service = new JanitorService(harness.EndpointJanitor, harness.AddressJanitor, harness.Ports, options, harness.Time, NullLogger<JanitorService>.Instance);
        await harness.Network.CreateEndpointAsync(DockerRequests.CreateEndpoint("10.11.0.2/32"), CancellationToken.None);
        harness.Agent.Unreachable = true;
        await harness.Network.LeaveAsync(DockerRequests.Endpoint(), CancellationToken.None);
        harness.Agent.Unreachable = false;

        // The service also runs once at start, on its own thread: a one-shot fault fails exactly that run's deletion.
        harness.Agent.FailNext("DeleteEndpoint", status: null);
        await service.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => harness.Agent.Calls.Count(call => call.StartsWith("DeleteEndpoint", StringComparison.Ordinal)) == 2);
        Assert.That(harness.Model.Endpoints, Has.Count.EqualTo(1), "the agent was down: the deletion is still owed");
        Assert.That(harness.Cleanup.Count, Is.EqualTo(1), "a failed run keeps what is owed");

        // Advanced in steps: the service may not be waiting on the clock yet when the first step is taken.
        await WaitUntilAsync(() => harness.Model.Endpoints.Count == 0, () => harness.Time.Advance(TimeSpan.FromSeconds(1)));
        await service.StopAsync(CancellationToken.None);

        Assert.That(harness.Cleanup.Count, Is.Zero);
    }

    [Test]
    public async Task RunOnce_JanitorThrowsUnexpectedly_IsContained()
    {
        using var harness = new PluginHarness();
        using var service = new JanitorService(harness.EndpointJanitor, harness.AddressJanitor, harness.Ports, new PluginOptions(), harness.Time, NullLogger<JanitorService>.Instance);
        harness.Cleanup.Add("abc");
        harness.Agent.BeforeCall = (_, _) => throw new InvalidOperationException("bug");

        Assert.DoesNotThrowAsync(() => service.RunOnceAsync(CancellationToken.None));
        await Task.CompletedTask;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Action? betweenChecks = null)
    {
        while (!condition())
        {
            betweenChecks?.Invoke();
            await Task.Delay(10);
        }
    }
}
