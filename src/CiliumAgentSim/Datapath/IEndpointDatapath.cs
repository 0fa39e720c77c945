using System.Net;

namespace CiliumAgentSim.Datapath;

/// <summary>The host interface and addresses of one endpoint, as the datapath routes them.</summary>
internal sealed record DatapathEndpoint(string InterfaceName, IPAddress? IPv4, IPAddress? IPv6);

/// <summary>
/// What the agent's datapath does for same-node traffic, reduced to kernel routing: a <c>cilium_host</c> holding
/// the router IPs, host routes to endpoint interfaces, and forwarding between them.
/// </summary>
internal interface IEndpointDatapath
{
    /// <summary>The service translation that lives and dies with this datapath.</summary>
    IServiceDatapath Services { get; }

    Task StartAsync(IPAddress? routerIPv4, IPAddress? routerIPv6, CancellationToken cancellationToken);

    Task AttachAsync(DatapathEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>Best effort: the interface may already be gone (Docker deletes the veth).</summary>
    Task DetachAsync(DatapathEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>Undoes everything <see cref="StartAsync"/> and <see cref="AttachAsync"/> did.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}

/// <summary>A datapath failure, with a message that says what to fix.</summary>
internal sealed class DatapathException(string message) : Exception(message);

/// <summary>Without <c>--datapath</c>: endpoints are only bookkeeping.</summary>
internal sealed class NoDatapath : IEndpointDatapath
{
    public static readonly NoDatapath Instance = new();

    public IServiceDatapath Services => NoServiceDatapath.Instance;

    public Task StartAsync(IPAddress? routerIPv4, IPAddress? routerIPv6, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task AttachAsync(DatapathEndpoint endpoint, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DetachAsync(DatapathEndpoint endpoint, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
