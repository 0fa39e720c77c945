using System.Globalization;
using System.Text.RegularExpressions;
using CiliumDocker.Hosting;
using NUnit.Framework;

namespace CiliumDocker.Tests.Integration;

/// <summary>
/// Inline I/O in the published binary: with it (the default) Docker's calls and the agent answers they wait for are
/// served on the socket thread, so they hand the thread pool next to no work; with the variable at 0, every socket
/// completion is a work item. Counted from the plugin's own <c>/metrics</c>, not timed.
/// </summary>
internal sealed partial class InlineIoTests : PluginIntegrationTest
{
    private const int Containers = 20;

    [Test]
    public async Task ByDefault_ContainerLifecycles_AreServedOnTheSocketThread()
    {
        await StartAsync();
        var workItems = await WorkItemsOfLifecyclesAsync();

        // 20 lifecycles are 140 Docker calls and 60 agent calls. Measured: 362 to 404 work items, most of them
        // Kestrel taking each new connection (DockerWire opens one per call, where Docker keeps them alive) and
        // 40 the lifecycles resuming after their veth work (DedicatedThreadEndpointDatapath); 1769 to 1790 with
        // the variable at 0.
        Assert.That(workItems, Is.LessThan(Containers * 40), Plugin.Output);
    }

    [Test]
    public async Task VariableAtZero_HandsEachSocketCompletionToThePool()
    {
        await StartAsync(environment: new Dictionary<string, string> { [CommandLine.InlineCompletionsVariable] = "0" });
        var workItems = await WorkItemsOfLifecyclesAsync();

        Assert.That(workItems, Is.GreaterThan(Containers * 60), Plugin.Output);
    }

    [Test]
    public async Task ByDefault_OneSocketThreadServesEverySocket()
    {
        await StartAsync();
        await WaitForAgentConfigAsync();

        Assert.That(SocketThreads(), Is.EqualTo(1));
    }

    [Test]
    public async Task ThreadCountVariable_ReachesTheRuntime()
    {
        await StartAsync(environment: new Dictionary<string, string> { [CommandLine.SocketThreadsVariable] = "3" });
        await WaitForAgentConfigAsync();

        Assert.That(SocketThreads(), Is.EqualTo(3));
    }

    /// <summary>The runtime names each of its epoll loops ".NET Sockets"; they start with the first socket that waits.</summary>
    private int SocketThreads()
        => Directory.GetDirectories($"/proc/{Plugin.Id}/task").Count(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Sockets");

    private async Task<long> WorkItemsOfLifecyclesAsync()
    {
        await WaitForAgentConfigAsync();
        var network = await Docker.CreateNetworkAsync();
        var before = await WorkItemsAsync();
        for (var i = 0; i < Containers; i++)
        {
            await Docker.StopContainerAsync(await Docker.StartContainerAsync(network));
        }

        var after = await WorkItemsAsync();
        await Docker.RemoveNetworkAsync(network);
        AssertNoLeakedAddresses();
        await TestContext.Out.WriteLineAsync($"thread pool work items for {Containers} container lifecycles: {after - before}");
        return after - before;
    }

    private async Task<long> WorkItemsAsync()
    {
        var metrics = await Plugin.GetAsync("/metrics", Cancellation);
        var match = WorkItemsSample().Match(metrics.Body);
        Assert.That(match.Success, Is.True, metrics.Body);
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^cilium_docker_thread_pool_work_items_total (\d+)$", RegexOptions.Multiline)]
    private static partial Regex WorkItemsSample();
}
