using System.Net;
using System.Net.Sockets;

namespace CiliumDocker.Ports;

/// <summary>Whether a process on this host already holds a port a container is to publish.</summary>
internal interface IHostPortProbe
{
    /// <summary>Null when the frontend's port is free on the host; otherwise why not, for the error.</summary>
    string? FindHolder(PortFrontend frontend);

    /// <summary>The range Linux hands out ephemeral ports from; Docker picks <c>-p 80</c>'s host port there too.</summary>
    (int First, int Last) EphemeralRange { get; }
}

/// <summary>
/// Binds the port for a moment. A Cilium service answers in the datapath, before any socket, so a process that
/// listens there (docker-proxy of a bridge container, a web server) would silently lose its traffic: refuse instead.
/// </summary>
internal sealed class SocketHostPortProbe : IHostPortProbe
{
    private const string PortRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    public (int First, int Last) EphemeralRange
    {
        get
        {
            try
            {
                var parts = File.ReadAllText(PortRangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last) && first is > 0 and <= 65535 && last >= first && last <= 65535)
                {
                    return (first, last);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }

            return (32768, 60999);
        }
    }

    public string? FindHolder(PortFrontend frontend)
    {
        ArgumentNullException.ThrowIfNull(frontend);
        var tcp = frontend.Protocol == PortProtocol.Tcp;
        using var socket = new Socket(frontend.Address.AddressFamily, tcp ? SocketType.Stream : SocketType.Dgram, tcp ? ProtocolType.Tcp : ProtocolType.Udp);
        if (frontend.Address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = false;
        }

        // For TCP, connections in TIME_WAIT do not hold a port, listeners do; for UDP the option would let two
        // sockets share it, so it stays off.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, tcp);
        try
        {
            socket.Bind(new IPEndPoint(frontend.Address, frontend.Port));
            return null;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return "a process on this host uses it";
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            return $"{frontend.Address} is not an address of this host";
        }
    }
}
