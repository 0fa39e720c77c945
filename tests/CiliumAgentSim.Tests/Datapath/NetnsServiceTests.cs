using System.Text.Json.Nodes;
using CiliumAgentSim.Datapath;
using CiliumAgentSim.Hosting;
using CiliumAgentSim.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace CiliumAgentSim.Tests.Datapath;

/// <summary>
/// Published ports through the real datapath, in a "host" namespace the test creates: a backend in a child namespace
/// behind an endpoint veth, reached from the host namespace through the service's frontend, over TCP and UDP.
/// </summary>
[NonParallelizable]
[CancelAfter(90_000)]
internal sealed class NetnsServiceTests
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Answers every TCP connection and UDP datagram on port 80 (IPv4 and IPv6) with "backend".</summary>
    private const string Listener = """
        import socket, threading
        def tcp():
            s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); s.bind(("::", 80)); s.listen(16)
            while True:
                c, _ = s.accept(); c.sendall(b"backend"); c.close()
        threading.Thread(target=tcp, daemon=True).start()
        u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); u.bind(("::", 80))
        while True:
            _, peer = u.recvfrom(64); u.sendto(b"backend", peer)
        """;

    /// <summary>argv: protocol, address, port. Prints what the backend answered, or fails.</summary>
    private const string Client = """
        import socket, sys
        proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
        if proto == "tcp":
            s = socket.create_connection((host, port), timeout=2); print(s.recv(64).decode())
        else:
            s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
            s.sendto(b"hi", (host, port)); print(s.recvfrom(64)[0].decode())
        """;

    private TestNamespaces _netns = new();
    private ChildProcess? _listener;

    [SetUp]
    public void RequireRootAndTools()
    {
        _netns = new TestNamespaces();
        if (!ProcessIdentity.IsRoot() || Shell.Find("ip") is null || Shell.Find("iptables") is null || !File.Exists(Python))
        {
            Assert.Ignore("needs root, iproute2, iptables and python3");
        }
    }

    [TearDown]
    public async Task RemoveNamespaces()
    {
        _listener?.Terminate();
        _listener?.Dispose();
        await _netns.DisposeAsync();
    }

    [Test]
    public async Task HostPortService_TranslatesLoopbackAndLocalAddresses_UntilDeleted_AndStopRemovesEverything()
    {
        await _netns.AddAsync("simh");
        var child = await _netns.AddAsync("simc1");
        var routeLocalnetBefore = (await Shell.MustRunAsync("ip", "netns", "exec", _netns.Host, "sysctl", "-n", ServiceNat.RouteLocalnet)).Output;
        var datapath = new LinuxDatapath(new ProcessCommandRunner(_netns.HostPath), NullLogger.Instance);
        var sim = await SimHarness.StartAsync(datapath: datapath);
        try
        {
            var backend = await AddBackendAsync(sim, child, "lxc" + _netns.Tag + "a");
            await PutServiceAsync(sim, 7, "0.0.0.0", 8080, backend);
            await PutServiceAsync(sim, 8, "127.0.0.1", 8081, backend);

            var loopbackTcp = await AskAsync("tcp", "127.0.0.1", 8080);
            var loopbackUdp = await AskAsync("udp", "127.0.0.1", 8080);
            var routerTcp = await AskAsync("tcp", "10.11.0.1", 8080);
            var specificTcp = await AskAsync("tcp", "127.0.0.1", 8081);
            var specificElsewhere = await AskAsync("tcp", "10.11.0.1", 8081);
            var deleted = await sim.SendAsync(HttpMethod.Delete, "/v1/service/7");
            var afterDelete = await AskAsync("tcp", "127.0.0.1", 8080);
            var specificAfterDelete = await AskAsync("tcp", "127.0.0.1", 8081);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(loopbackTcp, Is.EqualTo("backend"), "TCP to 127.0.0.1:8080");
                Assert.That(loopbackUdp, Is.EqualTo("backend"), "UDP to 127.0.0.1:8080 (the agent ignores the protocol)");
                Assert.That(routerTcp, Is.EqualTo("backend"), "0.0.0.0 means every local address");
                Assert.That(specificTcp, Is.EqualTo("backend"), "TCP to the specific frontend 127.0.0.1:8081");
                Assert.That(specificElsewhere, Is.Null, "a specific frontend IP only translates itself");
                Assert.That(deleted.Status, Is.EqualTo(200));
                Assert.That(afterDelete, Is.Null, "DELETE removes the service's rules");
                Assert.That(specificAfterDelete, Is.EqualTo("backend"), "the other service keeps its rules");
            }
        }
        finally
        {
            await sim.DisposeAsync();
        }

        var nat = (await Shell.MustRunAsync("ip", "netns", "exec", _netns.Host, "iptables", "-t", "nat", "-S")).StdOut;
        var routeLocalnetAfter = (await Shell.MustRunAsync("ip", "netns", "exec", _netns.Host, "sysctl", "-n", ServiceNat.RouteLocalnet)).Output;
        Assert.That(nat, Does.Not.Contain(ServiceNat.ServicesChain));
        Assert.That(routeLocalnetAfter, Is.EqualTo(routeLocalnetBefore), "route_localnet is restored");
    }

    [Test]
    public async Task HostPortService_IPv6AnyAddress_TranslatesLocalIPv6Addresses()
    {
        const string Router6 = "f00d::a0b:0:0:1";
        await _netns.AddAsync("simh");
        var child = await _netns.AddAsync("simc1");
        var datapath = new LinuxDatapath(new ProcessCommandRunner(_netns.HostPath), NullLogger.Instance);
        await using var sim = await SimHarness.StartAsync(
            o => o with { IPv4Range = null, IPv6Range = CiliumAgentSim.State.Cidr.TryParse("f00d::a0b:0:0:0/96", out var v6) ? v6 : null },
            datapath);
        var backend = await AddBackendAsync(sim, child, "lxc" + _netns.Tag + "a", "ipv6");
        await PutServiceAsync(sim, 7, "::", 8080, backend);

        // Neighbour discovery needs the link-local addresses, which take a moment after the links come up.
        string? tcp = null;
        for (var i = 0; i < 10 && tcp is null; i++)
        {
            tcp = await AskAsync("tcp", Router6, 8080);
        }

        var udp = await AskAsync("udp", Router6, 8080);
        Assert.That(tcp, Is.EqualTo("backend"), $"TCP to [{Router6}]:8080");
        Assert.That(udp, Is.EqualTo("backend"), $"UDP to [{Router6}]:8080");
    }

    /// <summary>The backend's answer, or null when the connection fails or nothing answers.</summary>
    private async Task<string?> AskAsync(string protocol, string address, int port)
    {
        var result = await Shell.RunAsync("ip", ["netns", "exec", _netns.Host, Python, "-c", Client, protocol, address, port.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        return result.Succeeded ? result.Output : null;
    }

    private static async Task PutServiceAsync(SimHarness sim, int id, string frontend, int port, string backend)
    {
        var body = new JsonObject
        {
            ["id"] = id,
            ["frontend-address"] = new JsonObject { ["ip"] = frontend, ["port"] = port, ["protocol"] = "tcp", ["scope"] = "external" },
            ["backend-addresses"] = new JsonArray(new JsonObject { ["ip"] = backend, ["port"] = 80 }),
            ["flags"] = new JsonObject { ["type"] = "HostPort" },
        };
        var (status, answer) = await sim.SendAsync(HttpMethod.Put, $"/v1/service/{id}", body.ToJsonString());
        Assert.That(status, Is.EqualTo(201), answer);
    }

    /// <summary>An endpoint with the listener behind it, set up the way Docker and the plugin set up a container.</summary>
    private async Task<string> AddBackendAsync(SimHarness sim, string child, string hostInterface, string family = "ipv4")
    {
        var json = await sim.AllocateAsync($"family={family}&owner=docker-ipam");
        var address = json["address"]![family]!.GetValue<string>();
        var v6 = family == "ipv6";
        var router = v6 ? "f00d::a0b:0:0:1" : "10.11.0.1";
        string[] ipFamily = v6 ? ["-6"] : ["-4"];
        var peer = "tmp" + hostInterface[3..];
        await Shell.MustRunAsync("ip", "-n", _netns.Host, "link", "add", "name", hostInterface, "type", "veth", "peer", "name", peer);
        await Shell.MustRunAsync("ip", "-n", _netns.Host, "link", "set", hostInterface, "up");
        await Shell.MustRunAsync("ip", "-n", _netns.Host, "link", "set", peer, "netns", child);
        await Shell.MustRunAsync("ip", ["-n", child, .. ipFamily, "addr", "add", address + (v6 ? "/128" : "/32"), "dev", peer, .. v6 ? new[] { "nodad" } : []]);
        await Shell.MustRunAsync("ip", "-n", child, "link", "set", peer, "up");
        await Shell.MustRunAsync("ip", ["-n", child, .. ipFamily, "route", "add", router + (v6 ? "/128" : "/32"), "dev", peer]);
        await Shell.MustRunAsync("ip", ["-n", child, .. ipFamily, "route", "add", "default", "via", router, "dev", peer]);
        var endpoint = new JsonObject
        {
            ["state"] = "waiting-for-identity",
            ["docker-endpoint-id"] = "e-" + _netns.Tag,
            ["interface-name"] = hostInterface,
            ["addressing"] = new JsonObject { [family] = address },
            ["sync-build-endpoint"] = true,
        };
        var (status, answer) = await sim.PutEndpointAsync(endpoint.ToJsonString());
        Assert.That(status, Is.EqualTo(201), answer);

        _listener = ChildProcess.Start("ip", ["netns", "exec", child, Python, "-c", Listener], Path.Combine(sim.Directory, "listener.log"));
        for (var i = 0; i < 50 && !(await Shell.RunAsync("ip", "netns", "exec", child, "ss", "-ltn", "sport", "= :80")).StdOut.Contains(":80", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        return address;
    }

}
