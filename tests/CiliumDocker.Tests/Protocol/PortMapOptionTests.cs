using System.Net;
using System.Text.Json;
using CiliumDocker.Infrastructure;
using CiliumDocker.Ports;
using CiliumDocker.Protocol;
using NUnit.Framework;

namespace CiliumDocker.Tests.Protocol;

internal sealed class PortMapOptionTests
{
    [Test]
    public void Read_DockerBindings_GivesEachMapping()
    {
        var mappings = PortMapOption.Read(Options("""
            [{"Proto":6,"IP":"","Port":80,"HostIP":"","HostPort":8080,"HostPortEnd":8080},
             {"Proto":17,"IP":"","Port":53,"HostIP":"127.0.0.1","HostPort":5353,"HostPortEnd":5353},
             {"Proto":6,"IP":"","Port":443,"HostIP":"::","HostPort":9000,"HostPortEnd":9010},
             {"Proto":6,"IP":"","Port":22,"HostIP":"","HostPort":0,"HostPortEnd":0}]
            """));

        Assert.That(mappings, Is.EqualTo(new[]
        {
            new PortMapping(PortProtocol.Tcp, 80, null, 8080, 8080),
            new PortMapping(PortProtocol.Udp, 53, IPAddress.Loopback, 5353, 5353),
            new PortMapping(PortProtocol.Tcp, 443, IPAddress.IPv6Any, 9000, 9010),
            new PortMapping(PortProtocol.Tcp, 22, null, 0, 0),
        }));
        Assert.That(mappings.Select(mapping => mapping.ToString()), Is.EqualTo(new[] { "8080:80/tcp", "127.0.0.1:5353:53/udp", "[::]:9000-9010:443/tcp", ":22/tcp" }));
    }

    [TestCase(null)]
    [TestCase("[]")]
    [TestCase("null")]
    public void Read_NoBindings_GivesNone(string? portmap)
    {
        var options = portmap is null ? new Dictionary<string, JsonElement>() : Options(portmap);

        Assert.That(PortMapOption.Read(options), Is.Empty);
        Assert.That(PortMapOption.Read(null), Is.Empty);
    }

    [Test]
    public void Read_IPv4MappedHostIP_IsTheIPv4Address()
    {
        var mapping = PortMapOption.Read(Options("""[{"Proto":6,"Port":80,"HostIP":"::ffff:127.0.0.1","HostPort":8080}]"""))[0];

        Assert.That(mapping.HostIP, Is.EqualTo(IPAddress.Loopback));
        Assert.That(mapping.HostPortEnd, Is.Zero, "a missing HostPortEnd is a single port");
    }

    [TestCase("""{"Proto":132,"Port":80,"HostPort":8080}""", "is SCTP")]
    [TestCase("""{"Proto":1,"Port":80,"HostPort":8080}""", "IP protocol 1; only TCP (6) and UDP (17)")]
    [TestCase("""{"Proto":6,"Port":0,"HostPort":8080}""", "Port 0, which is not a number from 1 to 65535")]
    [TestCase("""{"Proto":6,"HostPort":8080}""", "has no Port")]
    [TestCase("""{"Proto":6,"Port":80,"HostPort":70000}""", "HostPort 70000")]
    [TestCase("""{"Proto":6,"Port":80,"HostPort":"8080"}""", "HostPort \"8080\"")]
    [TestCase("""{"Proto":6,"Port":80,"HostPort":8090,"HostPortEnd":8080}""", "HostPortEnd 8080 below HostPort 8090")]
    [TestCase("""{"Proto":6,"Port":80,"HostIP":"localhost","HostPort":8080}""", "HostIP \"localhost\", which is not an IP address")]
    [TestCase("""80""", "is not an object")]
    public void Read_BadBinding_IsRefusedWithTheBindingAndWhatIsWrong(string binding, string expected)
    {
        var refused = Assert.Throws<RequestRefusedException>(() => PortMapOption.Read(Options("[" + binding + "]")));

        Assert.That(refused!.Message, Does.Contain(expected).And.Contain(PortMapOption.Key));
    }

    [Test]
    public void Read_NotAList_IsRefused()
    {
        var refused = Assert.Throws<RequestRefusedException>(() => PortMapOption.Read(Options("""{"Port":80}""")));

        Assert.That(refused!.Message, Does.Contain("is not a list of port bindings"));
    }

    private static Dictionary<string, JsonElement> Options(string portmap) =>
        new() { [PortMapOption.Key] = JsonDocument.Parse(portmap).RootElement };
}
