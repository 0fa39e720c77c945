using CiliumDocker.Cilium;
using CiliumDocker.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Cilium;

[TestFixture]
[CancelAfter(20_000)]
internal sealed class CiliumServiceCollectionExtensionsTests
{
    [Test]
    public void AddCiliumAgent_Resolved_SharesOneMonitorAndOneClient()
    {
        var options = new AgentClientOptions { Endpoint = SocketEndpoint.UnixSocket("/run/test/cilium.sock") };
        using var provider = new ServiceCollection().AddLogging().AddCiliumAgent(options).BuildServiceProvider();

        var monitor = provider.GetRequiredService<AgentConfigMonitor>();
        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<AgentClientOptions>(), Is.SameAs(options));
            Assert.That(provider.GetRequiredService<ICiliumAgent>(), Is.InstanceOf<CiliumAgentClient>());
            Assert.That(provider.GetRequiredService<ICiliumAgent>().Endpoint, Is.EqualTo("/run/test/cilium.sock"));
            Assert.That(provider.GetRequiredService<IAgentConfig>(), Is.SameAs(monitor));
            Assert.That(provider.GetServices<IHostedService>().Single(), Is.SameAs(monitor));
            Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(TimeProvider.System));
        });
    }

    [Test]
    public void AddCiliumAgent_TimeProviderAlreadyRegistered_KeepsIt()
    {
        var fake = new FakeTimeProvider();
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(fake)
            .AddCiliumAgent(new AgentClientOptions())
            .BuildServiceProvider();

        Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(fake));
    }

    [Test]
    public async Task AddCiliumAgent_HostedWithFakeAgent_FetchesTheConfiguration(CancellationToken cancellationToken)
    {
        await using var agent = await FakeAgentServer.StartUnixAsync();
        agent.DefaultResponse = FakeAgentResponse.Json(200, AgentClientTestKit.ConfigJson);
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddCiliumAgent(new AgentClientOptions { Endpoint = agent.Endpoint })
            .BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().Single();
        var config = provider.GetRequiredService<IAgentConfig>();

        await hosted.StartAsync(cancellationToken);
        try
        {
            await AgentClientTestKit.WaitUntilAsync(() => config.Current is not null, cancellationToken);
        }
        finally
        {
            await hosted.StopAsync(cancellationToken);
        }

        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await config.GetRequiredAsync(CancellationToken.None)).Addressing?.IPv4?.Ip, Is.EqualTo("10.15.0.1"));
            Assert.That(agent.Requests[0].RawTarget, Is.EqualTo("/v1/config"));
            Assert.That(provider.GetRequiredService<AgentCallStatistics>().Calls, Is.GreaterThanOrEqualTo(1));
        });
    }
}
