using System.Net;
using CiliumAgentSim.Datapath;
using CiliumAgentSim.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace CiliumAgentSim.Tests.Datapath;

/// <summary>The nat rules of services, without touching the machine.</summary>
[CancelAfter(30_000)]
internal sealed class ServiceNatTests
{
    private static readonly IPAddress Router = IPAddress.Parse("10.11.0.1");

    [Test]
    public async Task Start_HooksPreroutingOutputAndPostrouting()
    {
        var runner = new FakeCommandRunner();
        var nat = new ServiceNat(runner, NullLogger.Instance);

        await nat.StartAsync(Router, null, CancellationToken.None);

        Assert.That(runner.Commands, Is.SupersetOf(new[]
        {
            "iptables -t nat -N CILIUM_SIM_SVC",
            "iptables -t nat -I PREROUTING 1 -j CILIUM_SIM_SVC",
            "iptables -t nat -I OUTPUT 1 -j CILIUM_SIM_SVC",
            "iptables -t nat -I POSTROUTING 1 -j CILIUM_SIM_SVC_POST",
            "iptables -t nat -A CILIUM_SIM_SVC_POST -s 127.0.0.0/8 -o lxc+ -m conntrack --ctstate DNAT -j SNAT --to-source 10.11.0.1",
        }));
        Assert.That(runner.Commands, Has.None.StartsWith("ip6tables"));
    }

    [Test]
    public async Task Apply_AnyAddress_DnatsTcpAndUdpOfLocalAddresses_AndTurnsOnRouteLocalnet()
    {
        var runner = new FakeCommandRunner();
        var nat = new ServiceNat(runner, NullLogger.Instance);
        await nat.StartAsync(Router, null, CancellationToken.None);
        var before = runner.Commands.Count;

        await nat.ApplyAsync(new DatapathService(7, IPAddress.Any, 8080, [new IPEndPoint(IPAddress.Parse("10.11.0.5"), 80)]), CancellationToken.None);

        Assert.That(runner.Commands.Skip(before), Is.EqualTo(new[]
        {
            "sysctl -n net.ipv4.conf.all.route_localnet",
            "sysctl -qw net.ipv4.conf.all.route_localnet=1",
            "iptables -t nat -N CILIUM_SIM_SVC_7",
            "iptables -t nat -A CILIUM_SIM_SVC_7 -p tcp --dport 8080 -j DNAT --to-destination 10.11.0.5:80",
            "iptables -t nat -A CILIUM_SIM_SVC_7 -p udp --dport 8080 -j DNAT --to-destination 10.11.0.5:80",
            "iptables -t nat -A CILIUM_SIM_SVC -m addrtype --dst-type LOCAL -m comment --comment cilium-agent-sim service 7 -j CILIUM_SIM_SVC_7",
        }));
    }

    [Test]
    public async Task Apply_SpecificAddressTwoBackends_SplitsEvenly_ThenRemoveDeletesJumpAndChain()
    {
        var runner = new FakeCommandRunner();
        var nat = new ServiceNat(runner, NullLogger.Instance);
        await nat.StartAsync(Router, null, CancellationToken.None);
        IPEndPoint[] backends = [new(IPAddress.Parse("10.11.0.5"), 80), new(IPAddress.Parse("10.11.0.6"), 80)];
        await nat.ApplyAsync(new DatapathService(8, IPAddress.Loopback, 8081, backends), CancellationToken.None);
        var applied = runner.Commands.ToList();

        await nat.RemoveAsync(8, CancellationToken.None);

        Assert.That(applied, Is.SupersetOf(new[]
        {
            "iptables -t nat -A CILIUM_SIM_SVC_8 -p tcp --dport 8081 -m statistic --mode random --probability 0.5 -j DNAT --to-destination 10.11.0.5:80",
            "iptables -t nat -A CILIUM_SIM_SVC_8 -p tcp --dport 8081 -j DNAT --to-destination 10.11.0.6:80",
            "iptables -t nat -A CILIUM_SIM_SVC -d 127.0.0.1/32 -m comment --comment cilium-agent-sim service 8 -j CILIUM_SIM_SVC_8",
        }));
        Assert.That(runner.Commands.Skip(applied.Count), Is.EqualTo(new[]
        {
            "iptables -t nat -D CILIUM_SIM_SVC -d 127.0.0.1/32 -m comment --comment cilium-agent-sim service 8 -j CILIUM_SIM_SVC_8",
            "iptables -t nat -F CILIUM_SIM_SVC_8",
            "iptables -t nat -X CILIUM_SIM_SVC_8",
        }));
    }

    [Test]
    public async Task Apply_IPv6WithoutIPv6Datapath_FailsClearly()
    {
        var nat = new ServiceNat(new FakeCommandRunner(), NullLogger.Instance);
        await nat.StartAsync(Router, null, CancellationToken.None);

        Assert.That(
            async () => await nat.ApplyAsync(new DatapathService(9, IPAddress.IPv6Any, 80, [new IPEndPoint(IPAddress.Parse("f00d::5"), 80)]), CancellationToken.None),
            Throws.InstanceOf<DatapathException>().With.Message.Contains("IPv6 is not enabled"));
    }

    [Test]
    public async Task Stop_RemovesServicesAndChains_AndRestoresRouteLocalnet()
    {
        var runner = new FakeCommandRunner();
        var nat = new ServiceNat(runner, NullLogger.Instance);
        await nat.StartAsync(Router, IPAddress.Parse("f00d::1"), CancellationToken.None);
        await nat.ApplyAsync(new DatapathService(7, IPAddress.Any, 8080, [new IPEndPoint(IPAddress.Parse("10.11.0.5"), 80)]), CancellationToken.None);
        await nat.ApplyAsync(new DatapathService(9, IPAddress.IPv6Any, 80, [new IPEndPoint(IPAddress.Parse("f00d::5"), 80)]), CancellationToken.None);
        var before = runner.Commands.Count;

        await nat.StopAsync(CancellationToken.None);

        var undo = runner.Commands.Skip(before).ToList();
        Assert.That(undo, Is.SupersetOf(new[]
        {
            "iptables -t nat -X CILIUM_SIM_SVC_7",
            "ip6tables -t nat -X CILIUM_SIM_SVC_9",
            "iptables -t nat -D PREROUTING -j CILIUM_SIM_SVC",
            "iptables -t nat -D OUTPUT -j CILIUM_SIM_SVC",
            "iptables -t nat -D POSTROUTING -j CILIUM_SIM_SVC_POST",
            "iptables -t nat -X CILIUM_SIM_SVC",
            "ip6tables -t nat -X CILIUM_SIM_SVC",
            "sysctl -qw net.ipv4.conf.all.route_localnet=0",
        }));
    }
}
