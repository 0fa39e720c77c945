using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;
using NUnit.Framework;

namespace CiliumDocker.Tests.Agent;

[TestFixture]
internal sealed class AgentClientOptionsTests
{
    [Test]
    public void ParseEndpoint_UnixUri_GivesTheSocketPath()
    {
        var endpoint = SocketEndpoint.Parse("unix:///var/run/cilium/cilium.sock");

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.IsUnixSocket, Is.True);
            Assert.That(endpoint.SocketPath, Is.EqualTo("/var/run/cilium/cilium.sock"));
            Assert.That(endpoint.ToString(), Is.EqualTo("/var/run/cilium/cilium.sock"));
        });
    }

    [TestCase("tcp://127.0.0.1:9234", "127.0.0.1", 9234, "tcp://127.0.0.1:9234")]
    [TestCase("tcp://agent.local:80", "agent.local", 80, "tcp://agent.local:80")]
    [TestCase("tcp://[::1]:9234", "::1", 9234, "tcp://[::1]:9234")]
    public void ParseEndpoint_TcpUri_GivesHostAndPort(string uri, string host, int port, string shown)
    {
        var endpoint = SocketEndpoint.Parse(uri);

        Assert.Multiple(() =>
        {
            Assert.That(endpoint.IsUnixSocket, Is.False);
            Assert.That(endpoint.Host, Is.EqualTo(host));
            Assert.That(endpoint.Port, Is.EqualTo(port));
            Assert.That(endpoint.ToString(), Is.EqualTo(shown));
        });
    }

    [TestCase("/var/run/cilium/cilium.sock", "expected unix:///path/to/the.sock or tcp://host:port")]
    [TestCase("unix://", "the socket path is empty")]
    [TestCase("http://localhost:9234", "unsupported scheme 'http', expected unix:// or tcp://")]
    [TestCase("tcp://localhost", "expected tcp://host:port")]
    [TestCase("tcp://localhost:0", "expected tcp://host:port")]
    [TestCase("tcp://localhost:99999", "expected tcp://host:port")]
    [TestCase("tcp://localhost:9234/v1", "expected tcp://host:port")]
    [TestCase("tcp://user@localhost:9234", "expected tcp://host:port")]
    [TestCase("tcp://:9234", "expected tcp://host:port")]
    public void ParseEndpoint_InvalidUri_ThrowsLikeTheOriginal(string uri, string why)
    {
        Assert.That(() => SocketEndpoint.Parse(uri),
            Throws.InstanceOf<FormatException>().With.Message.EqualTo($"invalid host format '{uri}': {why}"));
    }

    [Test]
    public void ParseEndpoint_SocketPathTooLong_Throws()
    {
        // 60 two-byte characters: 120 bytes, although only 65 characters in all.
        var uri = "unix:///tmp/" + new string('\u00e9', 60);

        Assert.That(() => SocketEndpoint.Parse(uri),
            Throws.InstanceOf<FormatException>().With.Message.Contains("longer than the 107 bytes"));
    }

    [TestCase(null, "unix:///var/run/cilium/cilium.sock")]
    [TestCase("", "unix:///var/run/cilium/cilium.sock")]
    [TestCase("/run/c.sock", "unix:///run/c.sock")]
    public void DefaultEndpointUri_CiliumSockVariable_IsHonoured(string? variable, string expected)
    {
        Assert.That(AgentClientOptions.DefaultEndpointUri(variable), Is.EqualTo(expected));
    }

    [Test]
    public void Defaults_FitWithinDockersPluginTimeout()
    {
        var options = new AgentClientOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.Endpoint.SocketPath, Is.EqualTo(AgentClientOptions.DefaultSocketPath));
            Assert.That(options.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.TotalBudget, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(options.TotalBudget, Is.LessThan(TimeSpan.FromSeconds(30)));
            Assert.That(options.MaxRetryDelay, Is.EqualTo(TimeSpan.FromSeconds(1)));
        });
    }
}
