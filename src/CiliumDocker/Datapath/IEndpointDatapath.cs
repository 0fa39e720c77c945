namespace CiliumDocker.Datapath;

/// <summary>
/// Creates and removes the host side of a container's network interface. CreateEndpoint calls it before
/// registering the endpoint at the agent; DeleteEndpoint calls it after.
/// </summary>
internal interface IEndpointDatapath
{
    /// <summary>Creates the pair, or throws <see cref="DatapathException"/> having left nothing behind.</summary>
    Task<VethPair> CreateAsync(VethRequest request, CancellationToken cancellationToken);

    /// <summary>Removes the pair of <paramref name="endpointId"/>; a pair that does not exist is already removed.</summary>
    Task DeleteAsync(string endpointId, CancellationToken cancellationToken);
}

/// <param name="EndpointId">Docker's endpoint id: the names derive from it.</param>
/// <param name="ContainerMac">The MAC Docker asked for (<c>--mac-address</c>), or null to generate one.</param>
/// <param name="Mtu">The agent's <c>deviceMTU</c>; 0 keeps the kernel default.</param>
/// <param name="Offload">GRO/GSO maximum sizes from the agent; zeros are not set.</param>
internal sealed record VethRequest(string EndpointId, string? ContainerMac, int Mtu, OffloadSizes Offload);

internal readonly record struct OffloadSizes(long GroMaxSize, long GsoMaxSize, long GroIPv4MaxSize, long GsoIPv4MaxSize);

/// <param name="HostName">The <c>lxc…</c> side that stays on the host.</param>
/// <param name="ContainerName">The temporary name of the side Docker moves into the container (Join's SrcName).</param>
internal sealed record VethPair(string HostName, int HostIndex, string HostMac, string ContainerName, string ContainerMac);

internal sealed class DatapathException : Exception
{
    public DatapathException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
