using CiliumDocker.Cilium;
using CiliumDocker.Labels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Labels;

[TestFixture]
internal sealed class LabelWatcherServiceCollectionExtensionsTests
{
    [Test]
    public void AddDockerLabelWatcher_UnixHost_OneInstanceIsHostedServiceAndStatus()
    {
        using var provider = new ServiceCollection()
            .AddSingleton<ICiliumAgent>(new RecordingCiliumAgent())
            .AddDockerLabelWatcher("unix:///var/run/docker.sock")
            .BuildServiceProvider();

        var status = provider.GetRequiredService<ILabelWatcherStatus>();
        var hosted = provider.GetServices<IHostedService>().ToList();

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.InstanceOf<DockerLabelWatcher>());
            Assert.That(hosted, Has.Count.EqualTo(1));
            Assert.That(hosted[0], Is.SameAs(status));
            Assert.That(status.State, Is.EqualTo(LabelWatcherState.Connecting), "nothing runs before the host starts it");
        });
    }

    [Test]
    public void AddDockerLabelWatcher_TimeProviderAlreadyRegistered_KeepsIt()
    {
        var fake = new FakeTimeProvider();
        using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(fake)
            .AddSingleton<ICiliumAgent>(new RecordingCiliumAgent())
            .AddDockerLabelWatcher("tcp://127.0.0.1:2375")
            .BuildServiceProvider();

        Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(fake));
    }

    [Test]
    public void AddDockerLabelWatcher_EmptyHost_ReportsDisabledAndRunsNothing()
    {
        using var provider = new ServiceCollection().AddDockerLabelWatcher(string.Empty).BuildServiceProvider();

        var status = provider.GetRequiredService<ILabelWatcherStatus>();

        Assert.Multiple(() =>
        {
            Assert.That(status.State, Is.EqualTo(LabelWatcherState.Disabled));
            Assert.That(status.LastError, Is.EqualTo("no Docker host configured"));
            Assert.That(provider.GetServices<IHostedService>(), Is.Empty);
        });
    }

    [Test]
    public void AddDockerLabelWatcher_UnsupportedHost_FailsAtRegistrationWithTheAcceptedForms()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<FormatException>(() => services.AddDockerLabelWatcher("/var/run/docker.sock"));

        Assert.That(ex!.Message, Does.Contain("unix:///path/to/the.sock or tcp://host:port"));
    }
}
