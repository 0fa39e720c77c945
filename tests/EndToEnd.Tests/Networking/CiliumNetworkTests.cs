using System.Net;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Networking;

/// <summary>Containers on a network of the managed plugin, driven through the docker CLI.</summary>
[TestFixture]
public sealed class CiliumNetworkTests() : PluginFixture("cilium-e2e/net:test")
{
    [Test]
    public void Run_OnCiliumNetwork_AddressComesFromTheAgentRange()
    {
        var network = CreateNetwork();
        var app = RunServer(network);

        var ip = IPAddress.Parse(Docker.ContainerIp(app, network));

        Assert.That(ip.ToString(), Does.StartWith("10.11."), "the address must come from the agent's 10.11.0.0/16");
        Assert.That(Docker.MustRun("network", "inspect", "-f", "{{range .Containers}}{{.IPv4Address}} {{end}}", network), Does.Contain(ip + "/32"));
    }

    [Test]
    public void Run_OnCiliumNetwork_ExactlyOneDefaultRouteAndNoGatewayBridge()
    {
        var network = CreateNetwork();
        var app = RunServer(network);

        var routes = Docker.Lines(Docker.Exec(app, "ip route"));
        var links = Docker.Exec(app, "ip -o link");

        Assert.Multiple(() =>
        {
            Assert.That(routes.Count(r => r.StartsWith("default", StringComparison.Ordinal)), Is.EqualTo(1), string.Join('\n', routes));
            Assert.That(routes, Has.Some.StartsWith("default via " + AgentSimulator.RouterIPv4));
            Assert.That(Docker.Lines(links), Has.Count.EqualTo(2), "lo and the Cilium interface only:\n" + links);
            Assert.That(Docker.Run("network", "inspect", "docker_gwbridge").Succeeded, Is.False, "docker_gwbridge must not be created");
        });
    }

    [Test]
    public void Run_TwoContainers_ClientFetchesServerByName()
    {
        var network = CreateNetwork();
        var app = RunServer(network, "-l", "id=app1");

        var page = Docker.MustRun("run", "--rm", "--net", network, "-l", "id=app2", E2EEnvironment.Image, "timeout", "10", "wget", "-qO-", "http://" + app);

        Assert.That(page, Is.EqualTo("hello from app1"));
    }

    [Test]
    public void Run_WithSubnetAndIp_ContainerGetsTheRequestedAddress()
    {
        var network = CreateNetwork("--subnet", "10.11.200.0/24");
        var app = RunServer(network, "--ip", "10.11.200.7");

        Assert.That(Docker.ContainerIp(app, network), Is.EqualTo("10.11.200.7"));
        var page = Docker.MustRun("run", "--rm", "--net", network, E2EEnvironment.Image, "timeout", "10", "wget", "-qO-", "http://10.11.200.7");
        Assert.That(page, Is.EqualTo("hello from app1"));
    }

    [Test]
    public void Run_WithSubnetOutsideTheAgentRange_FailsWithAClearError()
    {
        var name = Cleanup.Network(Names.Unique("cnet"));

        var result = Docker.Run("network", "create", "--driver", Plugin, "--ipam-driver", Plugin, "--subnet", "192.168.77.0/24", name);

        Assert.That(result.Succeeded, Is.False);
        Assert.That(result.StdErr, Does.Contain(AgentSimulator.IPv4Range), result.ToString());
    }

    [Test]
    public void Run_OnIPv6Network_ContainerGetsBothFamilies()
    {
        var network = CreateNetwork("--ipv6");
        var app = RunServer(network);

        var ipv6 = Docker.MustRun("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + network + "\").GlobalIPv6Address}}", app);

        Assert.That(ipv6, Does.StartWith("f00d::"));
        Assert.That(Docker.ContainerIp(app, network), Does.StartWith("10.11."));
    }

    [Test]
    public void NetworkConnect_RunningBridgeContainer_JoinsAndLeavesCiliumNetwork()
    {
        var network = CreateNetwork();
        var server = RunServer(network);
        var client = Cleanup.Container(Names.Unique("client"));
        Docker.MustRun("run", "-d", "--name", client, E2EEnvironment.Image, "sleep", "600");

        Docker.MustRun("network", "connect", network, client);
        var page = Docker.Exec(client, "timeout 10 wget -qO- http://" + server);
        var ip = Docker.ContainerIp(client, network);
        Docker.MustRun("network", "disconnect", network, client);

        Assert.That(page, Is.EqualTo("hello from app1"));
        Assert.That(ip, Does.StartWith("10.11."));
        Assert.That(Docker.Exec(client, "ip -o link"), Does.Not.Contain("cilium"));
        Assert.That(Eventually.Until(() => !AgentHolds(ip), TimeSpan.FromSeconds(10)), Is.True, $"{ip} is still allocated at the agent");
    }

    [Test]
    public void NetworkConnect_CiliumContainerToDefaultBridge_BothNetworksWork()
    {
        var network = CreateNetwork();
        var server = RunServer(network);
        var app = RunServer(network);

        Docker.MustRun("network", "connect", "bridge", app);
        var routes = Docker.Lines(Docker.Exec(app, "ip route"));
        var page = Docker.Exec(app, "timeout 10 wget -qO- http://" + server);
        Docker.MustRun("network", "disconnect", "bridge", app);

        Assert.That(routes.Count(r => r.StartsWith("default", StringComparison.Ordinal)), Is.EqualTo(1), string.Join('\n', routes));
        Assert.That(page, Is.EqualTo("hello from app1"), "Cilium endpoints stay reachable through the Cilium interface");
    }

    [Test]
    public void NetworkConnect_SecondCiliumNetwork_RefusedWithAClearErrorAndNothingLeaks()
    {
        var first = CreateNetwork();
        var second = CreateNetwork();
        var app = RunServer(first);
        var endpointsBefore = AgentState.EndpointCount();
        var addressesBefore = AgentState.AllocatedAddresses().Count;

        var connect = Docker.Run("network", "connect", second, app);

        Assert.That(connect.Succeeded, Is.False);
        Assert.That(connect.StdErr, Does.Contain("only one Cilium interface"), connect.ToString());
        Assert.That(Eventually.Until(() => AgentState.EndpointCount() == endpointsBefore && AgentState.AllocatedAddresses().Count == addressesBefore, TimeSpan.FromSeconds(10)),
            Is.True, "the refused endpoint's registration and address must be gone");
        var page = Docker.MustRun("run", "--rm", "--net", first, E2EEnvironment.Image, "timeout", "10", "wget", "-qO-", "http://" + app);
        Assert.That(page, Is.EqualTo("hello from app1"), "the first network keeps working");
    }

    [Test]
    public void StopAndRm_Container_ReleasesItsAddressAtTheAgent()
    {
        var network = CreateNetwork();
        var app = RunServer(network);
        var ip = Docker.ContainerIp(app, network);
        Assert.That(AgentHolds(ip), Is.True, $"{ip} should be allocated while the container runs");

        Docker.MustRun("stop", "-t", "1", app);
        Docker.MustRun("rm", app);

        Assert.That(Eventually.Until(() => !AgentHolds(ip), TimeSpan.FromSeconds(10)), Is.True, $"{ip} is still allocated at the agent");
        Assert.That(AgentState.EndpointAddresses(), Does.Not.Contain(ip), "the agent endpoint must be gone");
    }

    private static bool AgentHolds(string ip) => AgentState.AllocatedAddresses().Contains(ip);
}
