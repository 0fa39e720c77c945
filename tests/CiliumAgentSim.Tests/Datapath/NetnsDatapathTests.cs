using System.Text.Json.Nodes;
using CiliumAgentSim.Datapath;
using CiliumAgentSim.Hosting;
using CiliumAgentSim.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace CiliumAgentSim.Tests.Datapath;

/// <summary>
/// The real datapath in a "host" network namespace the test creates: two veth pairs whose container ends live in
/// child namespaces, configured the way Docker configures a container from the plugin's Join answer.
/// </summary>
[NonParallelizable]
[CancelAfter(90_000)]
internal sealed class NetnsDatapathTests
{
    private TestNamespaces _netns = new();

    [SetUp]
    public void RequireRootAndTools()
    {
        _netns = new TestNamespaces();
        if (!ProcessIdentity.IsRoot() || Shell.Find("ip") is null || Shell.Find("iptables") is null)
        {
            Assert.Ignore("needs root, iproute2 and iptables");
        }

        if (Shell.Find("ping") is null && Shell.Find("busybox") is null)
        {
            Assert.Ignore("needs ping (iputils-ping) or busybox (busybox-static)");
        }
    }

    [TearDown]
    public async Task RemoveNamespaces()
    {
        await _netns.DisposeAsync();
    }

    [Test]
    public async Task TwoEndpoints_ForwardPolicyDrop_PingEachOtherAndEverythingIsUndone()
    {
        await _netns.AddAsync("simh");
        var child1 = await _netns.AddAsync("simc1");
        var child2 = await _netns.AddAsync("simc2");

        // What dockerd does to FORWARD when it enables forwarding itself.
        await Shell.MustRunAsync("ip", "netns", "exec", _netns.Host, "iptables", "-P", "FORWARD", "DROP");
        var datapath = new LinuxDatapath(new ProcessCommandRunner(_netns.HostPath), NullLogger.Instance);
        var sim = await SimHarness.StartAsync(datapath: datapath);
        try
        {
            var ip1 = await AllocateAsync(sim);
            var ip2 = await AllocateAsync(sim);
            await AddContainerAsync(child1, "lxc" + _netns.Tag + "a", ip1.Address);
            await AddContainerAsync(child2, "lxc" + _netns.Tag + "b", ip2.Address);
            var unreachableBefore = await PingAsync(child1, ip2.Address, attempts: 1);

            await PutEndpointAsync(sim, "e1", "lxc" + _netns.Tag + "a", ip1);
            await PutEndpointAsync(sim, "e2", "lxc" + _netns.Tag + "b", ip2);
            var reachable = await PingAsync(child1, ip2.Address, attempts: 3);
            var reachableBack = await PingAsync(child2, ip1.Address, attempts: 3);
            var gateway = await PingAsync(child1, "10.11.0.1", attempts: 3);

            await sim.SendAsync(HttpMethod.Delete, "/v1/endpoint/docker-endpoint:e1");
            await sim.SendAsync(HttpMethod.Delete, "/v1/endpoint/docker-endpoint:e2");
            var routesAfterDelete = (await Shell.MustRunAsync("ip", "-n", _netns.Host, "route", "show")).StdOut;

            using (Assert.EnterMultipleScope())
            {
                Assert.That(unreachableBefore, Is.False, "no route before the endpoints exist");
                Assert.That(reachable, Is.True, $"{child1} -> {ip2.Address}");
                Assert.That(reachableBack, Is.True, $"{child2} -> {ip1.Address}");
                Assert.That(gateway, Is.True, "the router IP answers ARP and ping");
                Assert.That(routesAfterDelete, Does.Not.Contain(ip1.Address + " ").And.Not.Contain(ip2.Address + " "));
            }
        }
        finally
        {
            await sim.DisposeAsync();
        }

        var ciliumHost = await Shell.RunAsync("ip", "-n", _netns.Host, "link", "show", "cilium_host");
        var forward = (await Shell.MustRunAsync("ip", "netns", "exec", _netns.Host, "iptables", "-S")).StdOut;
        Assert.That(ciliumHost.ExitCode, Is.Not.Zero, "cilium_host is removed on exit");
        Assert.That(forward, Does.Not.Contain(LinuxDatapath.ForwardChain));
    }

    [Test]
    public async Task TwoEndpoints_IPv6Only_PingEachOtherThroughProxyNdp()
    {
        await _netns.AddAsync("simh");
        var child1 = await _netns.AddAsync("simc1");
        var child2 = await _netns.AddAsync("simc2");
        var datapath = new LinuxDatapath(new ProcessCommandRunner(_netns.HostPath), NullLogger.Instance);
        await using var sim = await SimHarness.StartAsync(
            o => o with { IPv4Range = null, IPv6Range = CiliumAgentSim.State.Cidr.TryParse("f00d::a0b:0:0:0/96", out var v6) ? v6 : null },
            datapath);
        var ip1 = await AllocateAsync(sim, "ipv6");
        var ip2 = await AllocateAsync(sim, "ipv6");
        await AddContainerAsync(child1, "lxc" + _netns.Tag + "a", ip1.Address, "f00d::a0b:0:0:1");
        await AddContainerAsync(child2, "lxc" + _netns.Tag + "b", ip2.Address, "f00d::a0b:0:0:1");

        await PutEndpointAsync(sim, "e1", "lxc" + _netns.Tag + "a", ip1);
        await PutEndpointAsync(sim, "e2", "lxc" + _netns.Tag + "b", ip2);

        // Link-local addresses finish duplicate address detection before neighbour discovery works.
        Assert.That(await PingAsync(child1, ip2.Address, attempts: 5), Is.True, $"{child1} -> {ip2.Address}");
    }

    private static async Task<(string Address, string Uuid)> AllocateAsync(SimHarness sim, string family = "ipv4")
    {
        var json = await sim.AllocateAsync($"family={family}&owner=docker-ipam", expiration: true);
        return (json["address"]![family]!.GetValue<string>(), json[family]!["expiration-uuid"]!.GetValue<string>());
    }

    private static async Task PutEndpointAsync(SimHarness sim, string dockerId, string hostInterface, (string Address, string Uuid) ip)
    {
        var family = ip.Address.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4";
        var body = new JsonObject
        {
            ["state"] = "waiting-for-identity",
            ["docker-endpoint-id"] = dockerId,
            ["interface-name"] = hostInterface,
            ["addressing"] = new JsonObject { [family] = ip.Address, [family + "-expiration-uuid"] = ip.Uuid },
            ["sync-build-endpoint"] = true,
        };
        var (status, answer) = await sim.PutEndpointAsync(body.ToJsonString());
        Assert.That(status, Is.EqualTo(201), answer);
    }

    private static async Task<bool> PingAsync(string ns, string address, int attempts)
    {
        var ping = Shell.Find("ping") is not null ? new[] { "ping" } : ["busybox", "ping"];
        for (var i = 0; i < attempts; i++)
        {
            var result = await Shell.RunAsync("ip", ["netns", "exec", ns, .. ping, "-c1", "-W2", address]);
            if (result.Succeeded)
            {
                return true;
            }
        }

        return false;
    }


    /// <summary>Host end in the host namespace (up, like the plugin leaves it), container end set up like Docker does.</summary>
    private async Task AddContainerAsync(string child, string hostInterface, string address, string router = "10.11.0.1")
    {
        var peer = "tmp" + hostInterface[3..];
        var v6 = address.Contains(':', StringComparison.Ordinal);
        string[] family = v6 ? ["-6"] : ["-4"];
        await Shell.MustRunAsync("ip", "-n", _netns.Host, "link", "add", "name", hostInterface, "type", "veth", "peer", "name", peer);
        await Shell.MustRunAsync("ip", "-n", _netns.Host, "link", "set", hostInterface, "up");
        await Shell.MustRunAsync("ip", "-n", _netns.Host, "link", "set", peer, "netns", child);
        await Shell.MustRunAsync("ip", ["-n", child, .. family, "addr", "add", address + (v6 ? "/128" : "/32"), "dev", peer, .. v6 ? new[] { "nodad" } : []]);
        await Shell.MustRunAsync("ip", "-n", child, "link", "set", peer, "up");
        await Shell.MustRunAsync("ip", ["-n", child, .. family, "route", "add", router + (v6 ? "/128" : "/32"), "dev", peer]);
        await Shell.MustRunAsync("ip", ["-n", child, .. family, "route", "add", "default", "via", router, "dev", peer]);
    }
}
