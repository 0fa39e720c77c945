using System.Net;
using System.Net.Sockets;
using CiliumDocker.Ports;
using NUnit.Framework;

namespace CiliumDocker.Tests.Ports;

/// <summary>The real probe, on loopback ports the test holds itself.</summary>
internal sealed class SocketHostPortProbeTests
{
    private readonly SocketHostPortProbe _probe = new();

    [Test]
    public void FindHolder_TcpListener_IsFound_OnItsAddressAndOnTheWildcard()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.Multiple(() =>
        {
            Assert.That(_probe.FindHolder(new PortFrontend(PortProtocol.Tcp, IPAddress.Loopback, port)), Is.EqualTo("a process on this host uses it"));
            Assert.That(_probe.FindHolder(new PortFrontend(PortProtocol.Tcp, IPAddress.Any, port)), Is.Not.Null);
            Assert.That(_probe.FindHolder(new PortFrontend(PortProtocol.Udp, IPAddress.Loopback, port)), Is.Null, "TCP does not hold the UDP port");
        });

        listener.Stop();
        Assert.That(_probe.FindHolder(new PortFrontend(PortProtocol.Tcp, IPAddress.Loopback, port)), Is.Null);
    }

    [Test]
    public void FindHolder_UdpSocket_IsFound()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;

        Assert.That(_probe.FindHolder(new PortFrontend(PortProtocol.Udp, IPAddress.Loopback, port)), Is.Not.Null);
    }

    [Test]
    public void FindHolder_AddressNotOnThisHost_SaysSo()
    {
        Assert.That(_probe.FindHolder(new PortFrontend(PortProtocol.Tcp, IPAddress.Parse("192.0.2.77"), 8080)), Does.Contain("is not an address of this host"));
    }

    [Test]
    public void EphemeralRange_IsTheKernelsRange()
    {
        var (first, last) = _probe.EphemeralRange;

        Assert.That(first, Is.InRange(1, last));
        Assert.That(last, Is.LessThanOrEqualTo(65535));
    }
}
