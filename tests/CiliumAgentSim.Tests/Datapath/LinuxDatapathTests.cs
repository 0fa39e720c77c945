using System.Net;
using System.Text.Json.Nodes;
using CiliumAgentSim.Datapath;
using CiliumAgentSim.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace CiliumAgentSim.Tests.Datapath;

/// <summary>The command sequences, without touching the machine.</summary>
[CancelAfter(30_000)]
internal sealed class LinuxDatapathTests
{
    private static readonly IPAddress Router = IPAddress.Parse("10.11.0.1");

    [TestCase("iptables", "apt-get install iptables")]
    [TestCase("ip", "apt-get install iproute2")]
    public void StartAsync_ToolMissing_FailsWithInstallHint(string tool, string hint)
    {
        var runner = new FakeCommandRunner();
        runner.MissingTools.Add(tool);
        var datapath = new LinuxDatapath(runner, NullLogger.Instance);

        Assert.That(
            async () => await datapath.StartAsync(Router, null, CancellationToken.None),
            Throws.InstanceOf<DatapathException>().With.Message.Contains(hint));
        Assert.That(runner.Commands, Is.Empty, "nothing is changed before every tool is known to be there");
    }

    [Test]
    public async Task StartAsync_IPv4_CreatesCiliumHostAndForwardChainAtPositionOne()
    {
        var runner = new FakeCommandRunner();
        var datapath = new LinuxDatapath(runner, NullLogger.Instance);

        await datapath.StartAsync(Router, null, CancellationToken.None);

        Assert.That(runner.Commands, Is.SupersetOf(new[]
        {
            "ip link add name cilium_host type veth peer name cilium_net",
            "ip addr add 10.11.0.1/32 dev cilium_host",
            "sysctl -qw net/ipv4/ip_forward=1",
            "iptables -A CILIUM_SIM_FWD -i lxc+ -j ACCEPT",
            "iptables -A CILIUM_SIM_FWD -o lxc+ -j ACCEPT",
            "iptables -I FORWARD 1 -j CILIUM_SIM_FWD",
        }));
    }

    [Test]
    public async Task StopAsync_AfterAttach_UndoesRoutesChainAndCiliumHost()
    {
        var runner = new FakeCommandRunner();
        var datapath = new LinuxDatapath(runner, NullLogger.Instance);
        await datapath.StartAsync(Router, IPAddress.Parse("f00d::1"), CancellationToken.None);
        await datapath.AttachAsync(new DatapathEndpoint("lxcA", IPAddress.Parse("10.11.0.5"), IPAddress.Parse("f00d::5")), CancellationToken.None);
        var attachCommands = runner.Commands.Count;

        await datapath.StopAsync(CancellationToken.None);

        var undo = runner.Commands.Skip(attachCommands).ToList();
        Assert.That(undo, Is.SupersetOf(new[]
        {
            "ip route del 10.11.0.5/32 dev lxcA",
            "ip -6 route del f00d::5/128 dev lxcA",
            "ip -6 neigh del proxy f00d::1 dev lxcA",
            "iptables -D FORWARD -j CILIUM_SIM_FWD",
            "iptables -X CILIUM_SIM_FWD",
            "ip6tables -X CILIUM_SIM_FWD",
            "ip link del cilium_host",
        }));
    }

    [Test]
    public async Task AttachAsync_Endpoint_RoutesAddressesWithoutRpFilter()
    {
        var runner = new FakeCommandRunner();
        var datapath = new LinuxDatapath(runner, NullLogger.Instance);
        await datapath.StartAsync(Router, null, CancellationToken.None);

        await datapath.AttachAsync(new DatapathEndpoint("lxcB", IPAddress.Parse("10.11.0.6"), null), CancellationToken.None);

        Assert.That(runner.Commands, Is.SupersetOf(new[]
        {
            "sysctl -qw net/ipv4/conf/lxcB/rp_filter=0",
            "ip route replace 10.11.0.6/32 dev lxcB",
        }));
    }

    [Test]
    public async Task PutEndpoint_InterfaceMissing_Answers500AndKeepsNoEndpoint()
    {
        var runner = new FakeCommandRunner { Fails = line => line.StartsWith("ip link show", StringComparison.Ordinal) };
        await using var sim = await SimHarness.StartAsync(datapath: new LinuxDatapath(runner, NullLogger.Instance));

        var (status, body) = await sim.PutEndpointAsync("""{"state":"waiting-for-identity","interface-name":"lxcGone","addressing":{"ipv4":"10.11.0.5"}}""");
        var state = await sim.StateAsync();

        Assert.That(status, Is.EqualTo(500));
        Assert.That(JsonNode.Parse(body)!.GetValue<string>(), Does.Contain("lxcGone"));
        Assert.That(state["endpoints"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task DeleteEndpoint_WithInterface_RemovesItsRoute()
    {
        var runner = new FakeCommandRunner();
        await using var sim = await SimHarness.StartAsync(datapath: new LinuxDatapath(runner, NullLogger.Instance));
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","docker-endpoint-id":"e","interface-name":"lxcA","addressing":{"ipv4":"10.11.0.5/32"}}""");

        await sim.SendAsync(HttpMethod.Delete, "/v1/endpoint/docker-endpoint:e");

        Assert.That(runner.Commands, Does.Contain("ip route replace 10.11.0.5/32 dev lxcA"));
        Assert.That(runner.Commands, Does.Contain("ip route del 10.11.0.5/32 dev lxcA"));
    }

    [Test]
    public async Task RestartLosingState_EndpointWithInterface_RemovesItsRoute()
    {
        var runner = new FakeCommandRunner();
        await using var sim = await SimHarness.StartAsync(datapath: new LinuxDatapath(runner, NullLogger.Instance));
        await sim.PutEndpointAsync("""{"state":"waiting-for-identity","interface-name":"lxcA","addressing":{"ipv4":"10.11.0.5"}}""");

        await sim.ControlAsync(HttpMethod.Post, "/restart", """{"keepState":false,"downMs":0}""");

        Assert.That(runner.Commands, Does.Contain("ip route del 10.11.0.5/32 dev lxcA"));
    }
}
