using System.Globalization;
using CiliumAgentSim.Hosting;

namespace AgentContract.Tests.Support;

/// <summary>
/// A veth pair as the plugin makes one: the <c>lxc…</c> side on the host (the agent attaches its programs there), the
/// other side in a network namespace this test creates. Disposing removes both, whatever the agent did meanwhile.
/// </summary>
internal sealed class TestVeth : IAsyncDisposable
{
    private TestVeth(string hostName, string peerName, string netns, int hostIndex, string hostMac, string containerMac)
    {
        HostName = hostName;
        PeerName = peerName;
        Netns = netns;
        HostIndex = hostIndex;
        HostMac = hostMac;
        ContainerMac = containerMac;
    }

    public string HostName { get; }

    public string PeerName { get; }

    public string Netns { get; }

    public int HostIndex { get; }

    public string HostMac { get; }

    public string ContainerMac { get; }

    public static async Task<TestVeth> CreateAsync()
    {
        if (!ProcessIdentity.IsRoot())
        {
            Assert.Ignore("endpoint contracts need root: they create a veth pair and a network namespace");
        }

        var suffix = Guid.NewGuid().ToString("N")[..6];
        var hostName = $"lxcct{suffix}";
        var peerName = $"ctp{suffix}";
        var netns = $"agent-contract-{suffix}";
        await Shell.MustRunAsync("ip", "netns", "add", netns);
        try
        {
            await Shell.MustRunAsync("ip", "link", "add", hostName, "type", "veth", "peer", "name", peerName, "netns", netns);
            await Shell.MustRunAsync("ip", "link", "set", hostName, "up");
            await Shell.MustRunAsync("ip", "-n", netns, "link", "set", peerName, "up");
            var index = int.Parse((await File.ReadAllTextAsync($"/sys/class/net/{hostName}/ifindex")).Trim(), CultureInfo.InvariantCulture);
            var hostMac = (await File.ReadAllTextAsync($"/sys/class/net/{hostName}/address")).Trim();
            var containerMac = (await Shell.MustRunAsync("ip", "netns", "exec", netns, "cat", $"/sys/class/net/{peerName}/address")).Output;
            return new TestVeth(hostName, peerName, netns, index, hostMac, containerMac);
        }
        catch
        {
            await RemoveAsync(hostName, netns);
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await RemoveAsync(HostName, Netns);

    private static async Task RemoveAsync(string hostName, string netns)
    {
        // Deleting the namespace deletes its side and with it the pair; the host side goes too if it is still there.
        await Shell.RunAsync("ip", "netns", "del", netns);
        await Shell.RunAsync("ip", "link", "del", hostName);
    }
}
