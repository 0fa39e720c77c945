using System.Net;
using System.Net.Sockets;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Engines;

/// <summary>
/// What Docker Engine changed for remote network and IPAM drivers since 20.10 (moby 25–28), on whichever engine this
/// run drives (<c>tests/run-all.sh</c> runs the suite once per engine). A case an engine cannot express is ignored with
/// the engine's version and the release that brought it.
/// </summary>
[TestFixture]
public sealed class EngineChangesTests() : PluginFixture("cilium-e2e/engines:test")
{
    private static readonly Lazy<Version> Engine = new(DockerDaemon.ServerVersion);

    [Test]
    public void Run_WithMacAddress_ContainerInterfaceHasIt()
    {
        var network = CreateNetwork();
        if (Engine.Value < new Version(25, 0))
        {
            // Before API 1.44 an engine takes a MAC address for the default bridge only; the CLI says so and stops.
            var name = Cleanup.Container(Names.Unique("mac"));
            var refused = Docker.Run("run", "-d", "--name", name, "--net", network, "--mac-address", "02:42:0a:0b:00:99", E2EEnvironment.Image, "sleep", "60");
            Assert.Multiple(() =>
            {
                Assert.That(refused.Succeeded, Is.False, refused.ToString());
                Assert.That(refused.StdErr, Does.Contain("requires API version 1.44"), refused.ToString());
            });
            return;
        }

        var app = RunServer(network, "--mac-address", "02:42:0a:0b:00:99");

        Assert.Multiple(() =>
        {
            Assert.That(Docker.Exec(app, "cat /sys/class/net/cilium0/address"), Is.EqualTo("02:42:0a:0b:00:99"));
            Assert.That(Docker.MustRun("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").MacAddress}}", app), Is.EqualTo("02:42:0a:0b:00:99"));
        });
    }

    [Test]
    public void Run_WithMalformedMacAddress_IsRefusedBeforeTheContainerStarts()
    {
        var network = CreateNetwork();
        var name = Cleanup.Container(Names.Unique("badmac"));

        var result = Docker.Run("run", "-d", "--name", name, "--net", network, "--mac-address", "02:42:0a:0b:00", E2EEnvironment.Image, "sleep", "60");

        Assert.That(result.Succeeded, Is.False, result.ToString());
        Assert.That(result.StdErr, Does.Contain("02:42:0a:0b:00").IgnoreCase, result.ToString());
    }

    [Test]
    public void Run_OnDualStackNetwork_ContainerWithIPv6Disabled_GetsOnlyIPv4()
    {
        RequireEngine(new Version(28, 0), "gives a container with IPv6 disabled an IPv6 address on a dual-stack network");
        var network = CreateNetwork("--ipv6");
        var app = RunServer(network, "--sysctl", "net.ipv6.conf.all.disable_ipv6=1");

        Assert.Multiple(() =>
        {
            Assert.That(Docker.ContainerIp(app, network), Does.StartWith("10.11."));
            Assert.That(Docker.MustRun("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").GlobalIPv6Address}}", app), Is.Empty);
            Assert.That(Docker.Exec(app, "ip route"), Does.Contain("default via " + AgentSimulator.RouterIPv4));
        });
    }

    [Test]
    public void Run_OnIPv6OnlyNetwork_ContainerGetsOnlyIPv6AndAnIPv6DefaultRoute()
    {
        RequireEngine(new Version(28, 0), "has no networks without IPv4 (--ipv4=false)");
        var network = CreateNetwork("--ipv4=false", "--ipv6");
        var app = RunServer(network);

        var ipv6 = Docker.MustRun("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").GlobalIPv6Address}}", app);
        Assert.Multiple(() =>
        {
            Assert.That(IPAddress.Parse(ipv6).AddressFamily, Is.EqualTo(AddressFamily.InterNetworkV6));
            Assert.That(ipv6, Does.StartWith("f00d::"));
            Assert.That(Docker.ContainerIp(app, network), Is.Empty);
            Assert.That(Docker.Exec(app, "ip -4 addr show dev cilium0"), Is.Empty, "no IPv4 address on the Cilium interface");
            Assert.That(Docker.Exec(app, "ip -6 route"), Does.Contain("default via f00d::"));
        });
    }

    private static void RequireEngine(Version first, string olderEngines)
    {
        if (Engine.Value < first)
        {
            Assert.Ignore($"Docker Engine {Engine.Value} {olderEngines}; {first.ToString(2)} is the first that does not");
        }
    }
}
