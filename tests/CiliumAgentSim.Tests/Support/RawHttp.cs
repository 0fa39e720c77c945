using System.Net.Sockets;
using System.Text;

namespace CiliumAgentSim.Tests.Support;

internal static class RawHttp
{
    /// <summary>Writes <paramref name="request"/> as is and returns everything read until the peer closes.</summary>
    public static async Task<string> ExchangeAsync(string socketPath, string request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // An abort may arrive as a reset rather than an orderly close.
        }

        return received.ToString();
    }
}
