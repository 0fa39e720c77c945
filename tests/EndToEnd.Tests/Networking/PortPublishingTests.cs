using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Networking;

/// <summary>
/// <c>docker run -p</c> on a Cilium network: each published port is a Cilium service of the agent, and the
/// simulator's datapath translates the host port to the container, as Cilium's load balancer does.
/// </summary>
[TestFixture]
public sealed class PortPublishingTests() : PluginFixture("cilium-e2e/ports:test")
{
    [Test]
    public void Publish_OnePort_HostLoopbackReachesTheContainer_UntilItIsRemoved()
    {
        var network = CreateNetwork();
        var app = RunServer(network, "-p", "18080:80");
        var ip = Docker.ContainerIp(app, network);

        Assert.That(AgentState.PublishedServices(), Is.EqualTo(new[] { $"0.0.0.0:18080 -> {ip}:80" }));
        Assert.That(Fetch(18080), Is.EqualTo("hello from app1"));

        Docker.MustRun("rm", "-f", app);
        Assert.That(AgentState.PublishedServices(), Is.Empty, "docker rm removes the service");
        Assert.That(Fetch(18080, mustAnswer: false), Is.Null, "nothing answers on the port any more");
    }

    [Test]
    public void Publish_HostPortRange_TakesTheFirstFreePort_AndPortRangesMapOneToOne()
    {
        var network = CreateNetwork();
        using var holder = new TcpListener(IPAddress.Loopback, 18090);
        holder.Start();

        var app = RunServer(network, "-p", "18090-18092:80", "-p", "18100-18101:80-81");
        var ip = Docker.ContainerIp(app, network);

        Assert.That(AgentState.PublishedServices(), Is.EquivalentTo(new[]
        {
            $"0.0.0.0:18091 -> {ip}:80",
            $"0.0.0.0:18100 -> {ip}:80",
            $"0.0.0.0:18101 -> {ip}:81",
        }), "18090 is held by a process on the host");
        Assert.That(Fetch(18091), Is.EqualTo("hello from app1"));
        Assert.That(Fetch(18100), Is.EqualTo("hello from app1"));
    }

    [Test]
    public void Publish_Udp_DatagramsReachTheContainerAndItsAnswersComeBack()
    {
        var network = CreateNetwork();
        var echo = UdpEcho.Build(Path.Combine(E2EEnvironment.Logs, "udp-echo"));
        var app = Cleanup.Container(Names.Unique("udp"));
        Docker.MustRun("run", "-d", "--name", app, "--net", network, "-p", "18110:9999/udp", "-v", echo + ":/bin/udp-echo:ro", E2EEnvironment.Image, "udp-echo", "9999");
        var ip = Docker.ContainerIp(app, network);
        Assert.That(AgentState.PublishedServices(), Is.EqualTo(new[] { $"0.0.0.0:18110 -> {ip}:9999" }));

        using var client = new UdpClient();
        client.Client.ReceiveTimeout = 1000;
        string? answer = null;
        Eventually.Until(
            () =>
            {
                client.Send("ping-over-udp"u8.ToArray(), new IPEndPoint(IPAddress.Loopback, 18110));
                try
                {
                    var from = new IPEndPoint(IPAddress.Any, 0);
                    answer = System.Text.Encoding.ASCII.GetString(client.Receive(ref from));
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(200));

        Assert.That(answer, Is.EqualTo("echo:ping-over-udp"), "container log: " + Docker.Run("logs", app));
    }

    [Test]
    public void Publish_OnAHostIP_OnlyThatAddress()
    {
        var network = CreateNetwork();
        var app = RunServer(network, "-p", "127.0.0.1:18120:80");
        var ip = Docker.ContainerIp(app, network);

        Assert.That(AgentState.PublishedServices(), Is.EqualTo(new[] { $"127.0.0.1:18120 -> {ip}:80" }));
        Assert.That(Fetch(18120), Is.EqualTo("hello from app1"));
    }

    [Test]
    public void Publish_PortTakenByAHostProcessOrAnotherContainer_FailsClearly_AndLeavesNothing()
    {
        var network = CreateNetwork();
        using var holder = new TcpListener(IPAddress.Any, 18130);
        holder.Start();
        RunServer(network, "-p", "18131:80");
        var endpointsBefore = AgentState.EndpointCount();

        var byProcess = Docker.Run("run", "-d", "--name", Cleanup.Container(Names.Unique("clash")), "--net", network, "-p", "18130:80", E2EEnvironment.Image, "sleep", "60");
        var byContainer = Docker.Run("run", "-d", "--name", Cleanup.Container(Names.Unique("clash")), "--net", network, "-p", "18140:80", "-p", "18131:81", E2EEnvironment.Image, "sleep", "60");

        Assert.Multiple(() =>
        {
            Assert.That(byProcess.Succeeded, Is.False);
            Assert.That(byProcess.StdErr, Does.Contain("cannot publish 18130:80/tcp: host port 18130 is already taken (a process on this host uses it)"), byProcess.ToString());
            Assert.That(byContainer.Succeeded, Is.False);
            Assert.That(byContainer.StdErr, Does.Contain("cannot publish 18131:81/tcp: host port 18131 is already taken (published by endpoint"), byContainer.ToString());
            Assert.That(AgentState.PublishedServices(), Has.Count.EqualTo(1), "only the first container's port; 18140 of the refused one was not made");
            Assert.That(Eventually.Until(() => AgentState.EndpointCount() == endpointsBefore, TimeSpan.FromSeconds(20)), Is.True, "the refused containers' endpoints are gone");
        });
    }

    [Test]
    public void Publish_PluginRestartsBetweenRunAndRm_PortKeepsWorking_AndRmRemovesIt()
    {
        var network = CreateNetwork();
        var app = RunServer(network, "-p", "18150:80");
        Assert.That(Fetch(18150), Is.EqualTo("hello from app1"));

        Form.Restart();
        Assert.That(Fetch(18150), Is.EqualTo("hello from app1"), "the service lives in the agent, not in the plugin");

        var rm = Docker.Run(TimeSpan.FromSeconds(90), "rm", "-f", app);
        Assert.That(rm.Succeeded, Is.True, rm.ToString());
        Assert.That(Eventually.Until(() => AgentState.PublishedServices().Count == 0, TimeSpan.FromSeconds(30)), Is.True,
            "the restarted plugin removes what its predecessor published: " + string.Join("; ", AgentState.PublishedServices()));
    }

    /// <summary>GET http://127.0.0.1:PORT/ from the host, retried briefly while the translation is installed.</summary>
    private static string? Fetch(int port, bool mustAnswer = true)
    {
        var url = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/";
        ShellResult? last = null;
        var answered = Eventually.Until(
            () => (last = Shell.Run("curl", "-s", "--max-time", "3", url)).Succeeded,
            mustAnswer ? TimeSpan.FromSeconds(15) : TimeSpan.FromSeconds(2),
            TimeSpan.FromMilliseconds(300));
        return answered ? last!.Output : mustAnswer ? throw new AssertionException($"nothing answered on {url}: {last}") : null;
    }
}
