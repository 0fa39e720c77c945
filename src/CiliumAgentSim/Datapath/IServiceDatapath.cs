using System.Net;

namespace CiliumAgentSim.Datapath;

/// <summary>A service the datapath translates: traffic to the frontend goes to one of the backends.</summary>
/// <param name="FrontendIp">Unspecified (<c>0.0.0.0</c>, <c>::</c>) means every local address.</param>
internal sealed record DatapathService(uint Id, IPAddress FrontendIp, ushort FrontendPort, IReadOnlyList<IPEndPoint> Backends);

/// <summary>
/// Host-port translation for services, the part of Cilium's socket and NodePort load balancing a published port
/// needs: connections to the frontend from the host and from outside reach a backend.
/// </summary>
internal interface IServiceDatapath
{
    /// <summary>Installs or replaces the translation of <paramref name="service"/>.</summary>
    Task ApplyAsync(DatapathService service, CancellationToken cancellationToken);

    /// <summary>Best effort: removes whatever translation service <paramref name="id"/> has, if any.</summary>
    Task RemoveAsync(uint id, CancellationToken cancellationToken);
}

/// <summary>Without <c>--datapath</c>: services are only bookkeeping.</summary>
internal sealed class NoServiceDatapath : IServiceDatapath
{
    public static readonly NoServiceDatapath Instance = new();

    public Task ApplyAsync(DatapathService service, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RemoveAsync(uint id, CancellationToken cancellationToken) => Task.CompletedTask;
}
