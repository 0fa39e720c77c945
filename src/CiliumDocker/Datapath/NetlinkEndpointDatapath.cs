using Microsoft.Extensions.Logging;

namespace CiliumDocker.Datapath;

/// <summary>Veth pairs through rtnetlink (issue 3/6 fills this in).</summary>
internal sealed class NetlinkEndpointDatapath(ILogger<NetlinkEndpointDatapath> logger) : IEndpointDatapath
{
    public Task<VethPair> CreateAsync(VethRequest request, CancellationToken cancellationToken)
    {
        logger.LogWarning("veth creation is not built yet");
        throw new DatapathException("veth creation is not built yet");
    }

    public Task DeleteAsync(string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;
}
