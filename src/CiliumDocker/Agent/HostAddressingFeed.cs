namespace CiliumDocker.Agent;

/// <summary>
/// IPAM answers carry the node's addressing, and a changed router IP means the agent restarted. The client
/// publishes each one here and the configuration monitor listens: a feed, because the monitor itself calls the client.
/// </summary>
internal sealed class HostAddressingFeed
{
    public event Action<NodeAddressing>? Observed;

    public void Publish(NodeAddressing hostAddressing) => Observed?.Invoke(hostAddressing);
}
