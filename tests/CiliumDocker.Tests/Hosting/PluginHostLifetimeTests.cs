using System.Net.Sockets;
using CiliumDocker.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace CiliumDocker.Tests.Hosting;

/// <summary>How the host starts, serves one connection after another, and stops: what the generic host did before.</summary>
[CancelAfter(20_000)]
internal sealed class PluginHostLifetimeTests
{
    [Test]
    public async Task BackgroundServiceFailsToStart_ThePluginIsToldToStopAndReportsTheFailure(CancellationToken cancellationToken)
    {
        await using var plugin = await InProcessPlugin.StartAsync(moreServices: services => services.AddSingleton<IHostedService, FailingService>());

        await Eventually.WaitUntilAsync(() => plugin.Host.Lifetime.Stopping.IsCancellationRequested, "the plugin is told to stop", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(plugin.Host.Failed, Is.True);
            Assert.That(plugin.Host.Lifetime.StopReason, Is.EqualTo("a background service failed to start"));
        });
    }

    [Test]
    public async Task Stop_ClosesTheSocketAndRemovesItsFile_ASecondStopDoesNothing()
    {
        await using var plugin = await InProcessPlugin.StartAsync();
        Assert.That((await plugin.PostAsync("/Plugin.Activate", null)).Status, Is.EqualTo(200));

        await plugin.Host.StopAsync();
        await plugin.Host.StopAsync();

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        Assert.Multiple(() =>
        {
            Assert.That(plugin.Host.Failed, Is.False);
            Assert.That(plugin.Host.Lifetime.StopReason, Is.EqualTo("stopped by its host"));
            Assert.That(File.Exists(plugin.SocketPath), Is.False);
            Assert.That(() => probe.Connect(new UnixDomainSocketEndPoint(plugin.SocketPath)), Throws.InstanceOf<SocketException>());
        });
    }

    /// <summary>The per-connection context is reused between requests: nothing of one answer may reach the next.</summary>
    [Test]
    public async Task KeptAliveConnection_ErrorThenSuccess_EachAnswerIsItsOwn(CancellationToken cancellationToken)
    {
        await using var plugin = await InProcessPlugin.StartAsync();
        var connections = 0;
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (_, token) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(plugin.SocketPath), token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://plugin") };

        using var missing = await client.PostAsync(new Uri("/NoSuch.Call", UriKind.Relative), null, cancellationToken);
        using var refused = await client.PostAsync(new Uri("/IpamDriver.RequestPool", UriKind.Relative), new StringContent("{"), cancellationToken);
        using var answered = await client.PostAsync(new Uri("/Plugin.Activate", UriKind.Relative), null, cancellationToken);

        var refusedBody = await refused.Content.ReadAsStringAsync(cancellationToken);
        var answeredBody = await answered.Content.ReadAsStringAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(connections, Is.EqualTo(1), "the three calls shared one connection");
            Assert.That((int)missing.StatusCode, Is.EqualTo(404));
            Assert.That((int)refused.StatusCode, Is.EqualTo(500));
            Assert.That(refusedBody, Does.Contain("IpamDriver.RequestPool"));
            Assert.That((int)answered.StatusCode, Is.EqualTo(200));
            Assert.That(answered.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/vnd.docker.plugins.v1+json"));
            Assert.That(answeredBody, Is.EqualTo("""{"Implements":["NetworkDriver","IpamDriver"]}"""));
        });
    }

    private sealed class FailingService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("cannot start");

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
