namespace CiliumDocker.Datapath;

/// <summary>
/// <c>--datapath none</c>: creates and removes nothing, so that bench/ can measure the plugin's own cost per
/// endpoint (protocol, agent calls, state) apart from the kernel's veth work. The pair it reports is empty: no
/// names, index 0, no MACs. Not for use with Docker, which would look for the interface Join names.
/// </summary>
internal sealed class NoEndpointDatapath : IEndpointDatapath
{
    private static readonly VethPair NoPair = new(string.Empty, 0, string.Empty, string.Empty, string.Empty);

    public Task<VethPair> CreateAsync(VethRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(NoPair);
    }

    public Task DeleteAsync(string endpointId, CancellationToken cancellationToken) => Task.CompletedTask;
}
