using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace CiliumDocker.Hosting;

/// <summary>The plugin's listening socket file: stale-file handling before bind, permissions right after it.</summary>
internal static class PluginSocket
{
    /// <summary>Owner read/write only: Docker connects as root, nobody else may drive the plugin.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Kestrel never removes a socket file left by a killed predecessor and then fails to bind. A file nobody
    /// listens on is removed; a live one means another plugin instance serves it, and this one must not steal it.
    /// </summary>
    public static void Prepare(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(socketPath))!);
        if (Directory.Exists(socketPath))
        {
            throw new IOException($"{socketPath} is a directory, not a socket; remove it or choose another --docker-plugins directory");
        }

        if (!File.Exists(socketPath))
        {
            return;
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                File.Delete(socketPath);
                return;
            }
        }

        throw new PluginSocketInUseException(socketPath);
    }

    /// <summary>Kestrel's bind hook: the mode is set between bind and listen, so no client ever sees a wider one.</summary>
    public static Socket BindWithOwnerOnlyMode(EndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        if (endpoint is UnixDomainSocketEndPoint && endpoint.ToString() is { Length: > 0 } path && path[0] == '/')
        {
            File.SetUnixFileMode(path, Mode);
        }

        return socket;
    }
}

internal sealed class PluginSocketInUseException(string socketPath)
    : Exception($"{socketPath} is in use by a running cilium-docker; stop it first (two plugins cannot serve one socket)")
{
    public string SocketPath { get; } = socketPath;
}
