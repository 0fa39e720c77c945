using CiliumDocker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace CiliumDocker.Tests.Hosting;

[TestFixture]
[CancelAfter(20_000)]
internal sealed class DeferredBackgroundServicesTests
{
    private readonly List<string> _events = [];
    private PluginLifetime _lifetime = null!;

    [SetUp]
    public void SetUp()
    {
        _events.Clear();
        _lifetime = new PluginLifetime();
    }

    [TearDown]
    public void TearDown() => _lifetime.Dispose();

    [Test]
    public void Built_BeforeStart_ResolvesNothing()
    {
        using var provider = Provider("a", "b");

        _ = provider.GetRequiredService<DeferredBackgroundServices>();

        Assert.That(_events, Is.Empty);
    }

    [Test]
    public async Task Start_StartsInRegistrationOrder_StopAsyncStopsInReverse(CancellationToken cancellationToken)
    {
        using var provider = Provider("a", "b");
        var deferred = provider.GetRequiredService<DeferredBackgroundServices>();

        deferred.Start();
        await deferred.StopAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(_events, Is.EqualTo(new[] { "resolve a", "resolve b", "start a", "start b", "stop b", "stop a" }));
            Assert.That(deferred.Failed, Is.False);
        });
    }

    [Test]
    public async Task ServiceThatFailsToStart_StopsTheHostAndStopsOnlyWhatStarted(CancellationToken cancellationToken)
    {
        using var provider = Provider("a", "fails", "c");
        var deferred = provider.GetRequiredService<DeferredBackgroundServices>();

        deferred.Start();
        await deferred.StopAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(deferred.Failed, Is.True);
            Assert.That(_lifetime.Stopping.IsCancellationRequested, Is.True, "the plugin is told to stop");
            Assert.That(_lifetime.StopReason, Does.Contain("background service"));
            Assert.That(_events, Is.EqualTo(new[] { "resolve a", "resolve fails", "resolve c", "start a", "stop a" }));
        });
    }

    [Test]
    public async Task StopAsync_BeforeStart_StopsNothingAndNeverStartsLater(CancellationToken cancellationToken)
    {
        using var provider = Provider("a");
        var deferred = provider.GetRequiredService<DeferredBackgroundServices>();

        await deferred.StopAsync(cancellationToken);
        deferred.Start();
        await deferred.StopAsync(cancellationToken);

        Assert.That(_events, Is.Empty);
    }

    private ServiceProvider Provider(params string[] names)
    {
        var services = new ServiceCollection();
        services.AddSingleton(provider => new DeferredBackgroundServices(
            provider, _lifetime, NullLogger<DeferredBackgroundServices>.Instance));
        foreach (var name in names)
        {
            services.AddSingleton<IHostedService>(_ =>
            {
                _events.Add("resolve " + name);
                return new RecordingService(name, _events);
            });
        }

        return services.BuildServiceProvider();
    }

    private sealed class RecordingService(string name, List<string> events) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (name == "fails")
            {
                throw new InvalidOperationException("cannot start");
            }

            events.Add("start " + name);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            events.Add("stop " + name);
            return Task.CompletedTask;
        }
    }
}
