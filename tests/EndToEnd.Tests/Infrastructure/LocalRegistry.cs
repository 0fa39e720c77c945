using System.Globalization;
using System.Net.Sockets;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>Debian's registry v2 server on 127.0.0.1 (Docker treats 127.0.0.0/8 as insecure-allowed), storage in a temp dir.</summary>
internal sealed class LocalRegistry : IDisposable
{
    private readonly ChildProcess _process;
    private readonly string _root;

    private LocalRegistry(ChildProcess process, string root, int port)
    {
        _process = process;
        _root = root;
        Address = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary><c>host:port</c>, the prefix of plugin references pushed to it.</summary>
    public string Address { get; }

    public static LocalRegistry Start(string logPath)
    {
        var port = FreePort();
        var root = Directory.CreateTempSubdirectory("e2e-registry-").FullName;
        var config = Path.Combine(root, "config.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {root}/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);
        var process = ChildProcess.Start("docker-registry", ["serve", config], logPath);
        var registry = new LocalRegistry(process, root, port);
        if (!Eventually.Until(() => Shell.Run("curl", "-sf", $"http://{registry.Address}/v2/").Succeeded, TimeSpan.FromSeconds(30)))
        {
            registry.Dispose();
            throw new InvalidOperationException("docker-registry did not answer within 30 s:\n" + process.ReadLog());
        }

        return registry;
    }

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)listener.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        _process.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
