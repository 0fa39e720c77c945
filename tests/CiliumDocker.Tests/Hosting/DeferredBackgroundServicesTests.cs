using CiliumDocker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace CiliumDocker.Tests.Hosting;

[TestFixture]
[CancelAfter(20_000)]
internal sealed class DeferredBackgroundServicesTests
{
    private readonly List<string> _events = [];
    private ApplicationLifetime _lifetime = null!;

    [SetUp]
    public void SetUp()
    {
        _events.Clear();
        _lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
    }

    [Test]
    public async Task StartAsync_BeforeTheServerListens_ResolvesAndStartsNothing(CancellationToken cancellationToken)
    {
        using var provider = Provider("a", "b");
        var deferred = provider.GetRequiredService<DeferredBackgroundServices>();

        await deferred.StartAsync(cancellationToken);

        Assert.That(_events, Is.Empty);
    }

    [Test]
    public async Task ApplicationStarted_StartsInRegistrationOrder_StopAsyncStopsInReverse(CancellationToken cancellationToken)
    {
        using var provider = Provider("a", "b");
        var deferred = provider.GetRequiredService<DeferredBackgroundServices>();
        await deferred.StartAsync(cancellationToken);

        _lifetime.NotifyStarted();
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
        await deferred.StartAsync(cancellationToken);

        _lifetime.NotifyStarted();
        await deferred.StopAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(deferred.Failed, Is.True);
            Assert.That(_lifetime.ApplicationStopping.IsCancellationRequested, Is.True, "the host is told to stop");
            Assert.That(_events, Is.EqualTo(new[] { "resolve a", "resolve fails", "resolve c", "start a", "stop a" }));
        });
    }

    [Test]
    public async Task StopAsync_BeforeTheServerListened_StopsNothingAndNeverStartsLater(CancellationToken cancellationToken)
    {
        using var provider = Provider("a");
        var deferred = provider.GetRequiredService<DeferredBackgroundServices>();
        await deferred.StartAsync(cancellationToken);

        await deferred.StopAsync(cancellationToken);
        _lifetime.NotifyStarted();

        Assert.That(_events, Is.Empty);
    }

    private ServiceProvider Provider(params string[] names)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostApplicationLifetime>(_lifetime);
        services.AddSingleton(provider => new DeferredBackgroundServices(
            provider, _lifetime, NullLogger<DeferredBackgroundServices>.Instance));
        foreach (var name in names)
        {
            services.AddKeyedSingleton<IHostedService>(DeferredBackgroundServices.Key, (_, _) =>
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
