using CiliumDocker.Agent;
using CiliumDocker.Datapath;
using CiliumDocker.Hosting;
using CiliumDocker.Infrastructure;
using CiliumDocker.Labels;
using CiliumDocker.Protocol;
using CiliumDocker.Tests.Agent;
using CiliumDocker.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace CiliumDocker.Tests.Hosting;

[TestFixture]
[CancelAfter(20_000)]
internal sealed class PluginServiceCollectionExtensionsTests
{
    private static PluginOptions Options(string dockerHost = "unix:///var/run/docker.sock") => new()
    {
        CiliumApi = SocketEndpoint.UnixSocket("/run/test/cilium.sock"),
        DockerHostPath = dockerHost,
        StateDirectory = Path.GetTempPath(),
    };

    [Test]
    public void AddCiliumDockerPlugin_EveryLoggerAPluginClassTakes_IsRegisteredClosed()
    {
        var services = new ServiceCollection().AddCiliumDockerPlugin(Options());
        var taken = typeof(PluginHost).Assembly.GetTypes()
            .SelectMany(type => type.GetConstructors())
            .SelectMany(constructor => constructor.GetParameters())
            .Select(parameter => parameter.ParameterType)
            .Where(type => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Microsoft.Extensions.Logging.ILogger<>))
            .Distinct();

        Assert.That(
            taken.Where(type => !services.Any(descriptor => descriptor.ServiceType == type)).Select(type => type.GenericTypeArguments[0].Name),
            Is.Empty,
            "the plugin has no open-generic logger registration (the AOT type loader would build it at start-up): add it to AddLoggers");
    }

    [Test]
    public void AddCiliumDockerPlugin_Resolved_OneClientBehindEveryAgentInterfaceAndOneMonitor()
    {
        using var provider = new ServiceCollection().AddCiliumDockerPlugin(Options()).BuildServiceProvider();

        var client = provider.GetRequiredService<CiliumAgentClient>();
        var monitor = provider.GetRequiredService<AgentConfigMonitor>();
        var hosted = provider.GetServices<IHostedService>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IAgentAddresses>(), Is.SameAs(client));
            Assert.That(provider.GetRequiredService<IAgentEndpoints>(), Is.SameAs(client));
            Assert.That(provider.GetRequiredService<IAgentEndpointLabels>(), Is.SameAs(client));
            Assert.That(provider.GetRequiredService<IAgentConfigSource>(), Is.SameAs(client));
            Assert.That(client.Endpoint, Is.EqualTo("/run/test/cilium.sock"));
            Assert.That(provider.GetRequiredService<IAgentConfig>(), Is.SameAs(monitor));
            Assert.That(hosted, Has.Count.EqualTo(3));
            Assert.That(hosted, Has.Member(monitor));
            Assert.That(hosted, Has.Member(provider.GetRequiredService<JanitorService>()));
            Assert.That(hosted, Has.Member(provider.GetRequiredService<ILabelWatcherStatus>()));
            Assert.That(provider.GetRequiredService<ILabelWatcherStatus>().State, Is.EqualTo(LabelWatcherState.Connecting), "nothing runs before the host starts it");
            Assert.That(provider.GetRequiredService<IEndpointDatapath>(), Is.InstanceOf<DedicatedThreadEndpointDatapath>(), "netlink work off the socket thread");
            Assert.That(provider.GetRequiredService<NetworkDriver>(), Is.Not.Null);
            Assert.That(provider.GetRequiredService<IpamDriver>(), Is.Not.Null);
            Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(TimeProvider.System));
        });
    }

    [Test]
    public void AddCiliumDockerPlugin_ServicesRegisteredFirst_AreKept()
    {
        var time = new FakeTimeProvider();
        var model = new AgentModel(time);
        var agent = new InMemoryCiliumAgent(model);
        var config = new FakeAgentConfig(time, model.Config);
        using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IAgentAddresses>(agent)
            .AddSingleton<IAgentConfig>(config)
            .AddCiliumDockerPlugin(Options())
            .BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(time));
            Assert.That(provider.GetRequiredService<IAgentAddresses>(), Is.SameAs(agent));
            Assert.That(provider.GetRequiredService<IAgentConfig>(), Is.SameAs(config));
            Assert.That(provider.GetServices<IHostedService>().OfType<AgentConfigMonitor>(), Is.Empty, "a replaced configuration has no monitor to run");
        });
    }

    [Test]
    public void AddCiliumDockerPlugin_NoDockerHost_ReportsLabelsDisabledAndRunsNoWatcher()
    {
        using var provider = new ServiceCollection().AddCiliumDockerPlugin(Options(dockerHost: string.Empty)).BuildServiceProvider();

        var status = provider.GetRequiredService<ILabelWatcherStatus>();
        Assert.Multiple(() =>
        {
            Assert.That(status.State, Is.EqualTo(LabelWatcherState.Disabled));
            Assert.That(status.LastError, Is.EqualTo("no Docker host configured"));
            Assert.That(provider.GetServices<IHostedService>().OfType<DockerLabelWatcher>(), Is.Empty);
        });
    }

    [Test]
    public void AddCiliumDockerPlugin_UnsupportedDockerHost_FailsAtRegistrationWithTheAcceptedForms()
    {
        var ex = Assert.Throws<FormatException>(() => new ServiceCollection().AddCiliumDockerPlugin(Options(dockerHost: "/var/run/docker.sock")));

        Assert.That(ex!.Message, Does.Contain("unix:///path/to/the.sock or tcp://host:port"));
    }

    [Test]
    public async Task AddCiliumDockerPlugin_HostedWithFakeAgent_FetchesTheConfiguration(CancellationToken cancellationToken)
    {
        await using var agent = await FakeAgentServer.StartUnixAsync();
        agent.DefaultResponse = FakeAgentResponse.Json(200, AgentClientTestKit.ConfigJson);
        using var provider = new ServiceCollection()
            .AddCiliumDockerPlugin(Options(dockerHost: string.Empty) with { CiliumApi = agent.Endpoint })
            .BuildServiceProvider();
        var monitor = provider.GetServices<IHostedService>().OfType<AgentConfigMonitor>().Single();
        var config = provider.GetRequiredService<IAgentConfig>();

        await monitor.StartAsync(cancellationToken);
        try
        {
            await AgentClientTestKit.WaitUntilAsync(() => config.Current is not null, cancellationToken);
        }
        finally
        {
            await monitor.StopAsync(cancellationToken);
        }

        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await config.GetRequiredAsync(CancellationToken.None)).Addressing?.IPv4?.Ip, Is.EqualTo("10.15.0.1"));
            Assert.That(agent.Requests[0].RawTarget, Is.EqualTo("/v1/config"));
            Assert.That(provider.GetRequiredService<AgentCallStatistics>().Calls, Is.GreaterThanOrEqualTo(1));
        });
    }
}
