namespace CiliumDocker.Bench.Processes;

/// <summary>
/// A fresh network namespace (<c>ip netns add</c>) for the plugin of the veth benchmark, so that the thousands of
/// veth pairs it creates never touch the host's links. Deleted on dispose.
/// </summary>
internal sealed class NetworkNamespace : IDisposable
{
    private NetworkNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public static NetworkNamespace Create()
    {
        var name = "bench-" + Guid.NewGuid().ToString("N")[..8];
        Shell.MustRun("ip", "netns", "add", name);
        var created = new NetworkNamespace(name);
        Shell.MustRun("ip", "-n", name, "link", "set", "lo", "up");
        return created;
    }

    /// <summary>Links of the namespace (names), to check what the plugin left behind.</summary>
    public IReadOnlyList<string> LinkNames() =>
        Shell.MustRun("ip", "-n", Name, "-o", "link", "show").Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 3)[1].Trim().Split('@')[0])
            .ToArray();

    public void Dispose() => Shell.Run("ip", "netns", "del", Name);
}
