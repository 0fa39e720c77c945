using System.Net.Sockets;

namespace CiliumAgentSim.Hosting;

/// <summary>Builds a minimal Kestrel app on a Unix socket (no config files, no file watchers, no console lifetime).</summary>
internal static class UnixSocketServer
{
    public static WebApplication Build(string socketPath, Action<WebApplication> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        PrepareSocketPath(socketPath);

        // CreateEmptyBuilder: the slim builder watches the content root recursively (thousands of inotify
        // watches with cwd=/); the simulator is started many times per test run.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(socketPath);
        });
        builder.Services.AddRoutingCore();

        // Signals are the process's business (Program), not each server's: two servers live in one process.
        builder.Services.AddSingleton<IHostLifetime, ManualLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        map(app);
        return app;
    }

    /// <summary>
    /// Creates the directory and removes a stale socket file (Kestrel refuses to bind over one). A socket someone
    /// still listens on is left alone: that is another live simulator, and starting would steal its path.
    /// </summary>
    public static void PrepareSocketPath(string socketPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(socketPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        if (!File.Exists(socketPath))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            File.Delete(socketPath);
            return;
        }

        throw new IOException($"{socketPath} is in use: another process is listening on it");
    }
}
