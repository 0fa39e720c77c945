using System.Diagnostics;
using CiliumDocker.Datapath;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Integration;

/// <summary>
/// Docker's complete call sequences (docker-plugin-protocol.md §3.3) against a veth-mode agent: network create,
/// container start and stop, network rm, with agent faults in between. Run on the published binary (its own
/// network namespace, real veth pairs) and in process (a veth double), from the same test bodies.
/// </summary>
[CancelAfter(60_000)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
internal abstract class FullSequenceTests
{
    protected SimulatedAgentServer Agent { get; private set; } = null!;

    protected DockerEngineDouble Docker { get; private set; } = null!;

    protected static CancellationToken Cancellation => TestContext.CurrentContext.CancellationToken;

    [SetUp]
    public async Task StartAsync()
    {
        Agent = await SimulatedAgentServer.StartAsync(AgentConfigs.DualStack());
        var post = await StartPluginAsync(Agent);
        Docker = new DockerEngineDouble((path, body) => post(path, body, Cancellation));
        await WaitForAgentConfigAsync(post);
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync("plugin output:\n" + PluginOutput);
        }

        await StopPluginAsync();
        await Agent.DisposeAsync();
    }

    protected abstract string PluginOutput { get; }

    /// <summary>Starts the plugin against <paramref name="agent"/>; returns how to post to it.</summary>
    protected abstract Task<Func<string, string?, CancellationToken, Task<WireResponse>>> StartPluginAsync(SimulatedAgentServer agent);

    protected abstract Task StopPluginAsync();

    /// <summary>Interface names where the plugin creates its veth pairs.</summary>
    protected abstract IReadOnlyCollection<string> Links();

    private static async Task WaitForAgentConfigAsync(Func<string, string?, CancellationToken, Task<WireResponse>> post)
        => await Eventually.ReturnsAsync(
            () => post("/IpamDriver.RequestPool", DockerRequests.RequestPoolJson, Cancellation),
            response => response.Status == 200,
            Cancellation);

    [Test]
    public async Task NetworkCreateRunStopRemove_LeavesNothingAtTheAgentOrOnTheHost()
    {
        var network = await Docker.CreateNetworkAsync(ipv6: true);
        var container = await Docker.StartContainerAsync(network);

        var endpoint = Agent.Model.Endpoints.Single();
        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Request.SyncBuildEndpoint, Is.True);
            Assert.That(endpoint.Request.InterfaceName, Is.EqualTo(VethNames.Host(container.EndpointId)));
            Assert.That(endpoint.Request.Addressing!.IPv4ExpirationUuid, Is.Not.Null, "the agent's expiration timer is stopped through the UUID");
            Assert.That(Agent.Model.Unheld(includeExpiring: true), Is.Empty);
            Assert.That(container.Join!.Value.GetProperty("InterfaceName").GetProperty("SrcName").GetString(), Is.EqualTo(VethNames.Container(container.EndpointId)));
            Assert.That(Links(), Does.Contain(VethNames.Host(container.EndpointId)).And.Contain(VethNames.Container(container.EndpointId)));
        });

        await Docker.StopContainerAsync(container);
        await Docker.RemoveNetworkAsync(network);

        Assert.Multiple(() =>
        {
            Assert.That(Agent.Model.Allocations, Is.Empty);
            Assert.That(Agent.Model.Endpoints, Is.Empty);
            Assert.That(Links(), Has.None.StartsWith("lxc").And.None.StartsWith("tmp"));
        });
    }

    [Test]
    public async Task ManyContainers_StartedConcurrently_AllGetDistinctAddressesAndAllCleanUp()
    {
        var network = await Docker.CreateNetworkAsync();

        var containers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Docker.StartContainerAsync(network)));
        Assert.That(containers.Select(container => container.IPv4).Distinct().Count(), Is.EqualTo(8));

        await Task.WhenAll(containers.Select(Docker.StopContainerAsync));
        await Docker.RemoveNetworkAsync(network);

        Assert.That((Agent.Model.Allocations.Count, Agent.Model.Endpoints.Count), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task AgentRestartKeepingEndpoints_WhileContainerRuns_StopCleansUp()
    {
        var network = await Docker.CreateNetworkAsync();
        var container = await Docker.StartContainerAsync(network);

        await Agent.RestartAsync(loseEndpoints: false);
        await Docker.StopContainerAsync(container);

        Assert.That((Agent.Model.Allocations.Count, Agent.Model.Endpoints.Count), Is.EqualTo((0, 0)));
    }

    /// <summary>Join answers from what this plugin registered at CreateEndpoint, without asking the agent, so it
    /// cannot notice an agent that lost the endpoint in between (a plugin that restarted does ask, see
    /// NetworkDriverTests); what matters is that the container's stop still leaves nothing behind.</summary>
    [Test]
    public async Task AgentRestartLosingEndpoints_BeforeJoin_StopLeavesNothing()
    {
        var network = await Docker.CreateNetworkAsync();
        Docker.BeforeJoin = () => Agent.RestartAsync(loseEndpoints: true);

        var container = await Docker.StartContainerAsync(network);
        Docker.BeforeJoin = null;
        await Docker.StopContainerAsync(container);

        Assert.Multiple(() =>
        {
            Assert.That((Agent.Model.Allocations.Count, Agent.Model.Endpoints.Count), Is.EqualTo((0, 0)));
            Assert.That(Links(), Has.None.StartsWith("lxc"));
        });
    }

    [Test]
    public async Task AgentDown_DuringStop_EverythingIsCleanedOnceItIsBack()
    {
        var network = await Docker.CreateNetworkAsync();
        var container = await Docker.StartContainerAsync(network);

        await Agent.StopAsync();
        await Docker.StopContainerAsync(container);
        Assert.That(Links(), Has.None.StartsWith("lxc"), "the veth goes even while the agent is down");

        await Agent.StartAsync();
        await Eventually.WaitUntilAsync(() => Agent.Model.Endpoints.Count == 0 && Agent.Model.Allocations.Count == 0, "the agent holds no endpoint and no address", Cancellation);
    }

    [Test]
    public async Task EndpointRegistrationFails_VethIsRemovedAndNothingIsLeft()
    {
        var network = await Docker.CreateNetworkAsync();
        Agent.FailNext("PUT", "/v1/endpoint/", FakeAgentResponse.Error(500, "endpoint regeneration failed"));

        var error = Assert.ThrowsAsync<DockerCallException>(() => Docker.StartContainerAsync(network));

        Assert.Multiple(() =>
        {
            Assert.That(error.PluginMessage, Does.Contain("endpoint regeneration failed"));
            Assert.That(Links(), Has.None.StartsWith("lxc"));
            Assert.That((Agent.Model.Allocations.Count, Agent.Model.Endpoints.Count), Is.EqualTo((0, 0)));
        });
    }

    [Test]
    public async Task SlowAndThrottlingAgent_FullSequence_StillCompletesCleanly()
    {
        Agent.Delay = TimeSpan.FromMilliseconds(300);
        Agent.FailNext("GET", "/v1/endpoint/", FakeAgentResponse.Empty(429));
        Agent.FailNext("DELETE", "/v1/endpoint/", FakeAgentResponse.Empty(429));
        var network = await Docker.CreateNetworkAsync();

        var container = await Docker.StartContainerAsync(network);
        await Docker.StopContainerAsync(container);
        await Docker.RemoveNetworkAsync(network);

        await Eventually.WaitUntilAsync(() => Agent.Model.Endpoints.Count == 0 && Agent.Model.Allocations.Count == 0, "the agent holds no endpoint and no address", Cancellation);
    }
}

/// <summary>The sequences on the published binary: needs the real veth datapath.</summary>
[Category("Integration")]
[Category(VethCategory)]
internal sealed class FullSequenceBinaryTests : FullSequenceTests
{
    public const string VethCategory = "Veth";

    private PluginProcess? _plugin;

    protected override string PluginOutput => _plugin?.Output ?? string.Empty;

    protected override async Task<Func<string, string?, CancellationToken, Task<WireResponse>>> StartPluginAsync(SimulatedAgentServer agent)
    {
        _plugin = PluginProcess.Start(agent.Uri, environment: new Dictionary<string, string> { ["RETRY_BUDGET"] = "3" });
        await _plugin.WaitUntilServingAsync(Cancellation);
        return (path, body, cancellationToken) => path.StartsWith("/Plugin.Health", StringComparison.Ordinal)
            ? _plugin.GetAsync(path, cancellationToken)
            : _plugin.PostAsync(path, body, cancellationToken);
    }

    protected override async Task StopPluginAsync()
    {
        if (_plugin is not null)
        {
            await _plugin.DisposeAsync();
            Directory.Delete(_plugin.Directory, recursive: true);
        }
    }

    /// <summary>Link names in the plugin's network namespace.</summary>
    protected override IReadOnlyCollection<string> Links()
    {
        using var ip = Process.Start(new ProcessStartInfo("nsenter", ["-t", _plugin!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-n", "ip", "-o", "link", "show"]) { RedirectStandardOutput = true })!;
        var output = ip.StandardOutput.ReadToEnd();
        ip.WaitForExit();
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(':')[1].Trim().Split('@')[0])];
    }
}

/// <summary>The same sequences in process: the real host, agent client and monitor over the agent's socket, a veth double.</summary>
[Category("Integration")]
internal sealed class FullSequenceInProcessTests : FullSequenceTests
{
    private InProcessPlugin? _plugin;

    protected override string PluginOutput => string.Empty;

    protected override async Task<Func<string, string?, CancellationToken, Task<WireResponse>>> StartPluginAsync(SimulatedAgentServer agent)
    {
        _plugin = await InProcessPlugin.StartAsync(agent: agent);
        return (path, body, cancellationToken) => path.StartsWith("/Plugin.Health", StringComparison.Ordinal)
            ? DockerWire.SendAsync(_plugin.SocketPath, "GET", path, [], cancellationToken)
            : DockerWire.PostAsync(_plugin.SocketPath, path, body, cancellationToken);
    }

    protected override async Task StopPluginAsync()
    {
        if (_plugin is not null)
        {
            await _plugin.DisposeAsync();
        }
    }

    protected override IReadOnlyCollection<string> Links() => [.. _plugin!.Datapath.Existing.SelectMany(endpointId => new[] { VethNames.Host(endpointId), VethNames.Container(endpointId) })];
}
