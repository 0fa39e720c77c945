namespace CiliumAgentSim.Tests.Support;

/// <summary>
/// Network namespaces a datapath test creates, tagged per test so parallel runs never meet: a "host" namespace
/// the simulator's datapath runs in, and children standing in for containers. Disposing deletes them all, and
/// with them every veth inside and its peer.
/// </summary>
internal sealed class TestNamespaces : IAsyncDisposable
{
    private readonly List<string> _names = [];

    public string Tag { get; } = Guid.NewGuid().ToString("N")[..6];

    public string Host => "simh-" + Tag;

    /// <summary><c>/var/run/netns/NAME</c> of the host namespace, for <c>nsenter --net</c>.</summary>
    public string HostPath => "/var/run/netns/" + Host;

    /// <summary>Creates the namespace <paramref name="prefix"/>-TAG with its loopback up.</summary>
    public async Task<string> AddAsync(string prefix)
    {
        var name = prefix + "-" + Tag;
        await Shell.MustRunAsync("ip", "netns", "add", name);
        _names.Add(name);
        await Shell.MustRunAsync("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _names)
        {
            await Shell.RunAsync("ip", "netns", "del", name);
        }

        _names.Clear();
    }
}
