using CiliumDocker.Cilium;

namespace CiliumDocker.Observability;

/// <summary>The agent as the plugin's handlers see it: every call also tells <see cref="AgentReachability"/> how it went.</summary>
internal sealed class ObservedCiliumAgent(ICiliumAgent inner, AgentReachability reachability) : ICiliumAgent
{
    public string Endpoint => inner.Endpoint;

    public Task<DaemonConfigurationStatus> GetConfigAsync(CancellationToken cancellationToken)
        => ObserveAsync(inner.GetConfigAsync(cancellationToken));

    public Task<IpamResponse> AllocateNextAsync(IpFamily family, string owner, bool expiration, CancellationToken cancellationToken)
        => ObserveAsync(inner.AllocateNextAsync(family, owner, expiration, cancellationToken));

    public Task AllocateAsync(string ip, string owner, string pool, CancellationToken cancellationToken)
        => ObserveAsync(inner.AllocateAsync(ip, owner, pool, cancellationToken));

    public Task ReleaseAsync(string ip, string pool, CancellationToken cancellationToken)
        => ObserveAsync(inner.ReleaseAsync(ip, pool, cancellationToken));

    public Task<CiliumEndpoint?> CreateEndpointAsync(EndpointChangeRequest request, CancellationToken cancellationToken)
        => ObserveAsync(inner.CreateEndpointAsync(request, cancellationToken));

    public Task<CiliumEndpoint?> GetEndpointAsync(string id, CancellationToken cancellationToken)
        => ObserveAsync(inner.GetEndpointAsync(id, cancellationToken));

    public Task<bool> PatchEndpointAsync(string id, EndpointChangeRequest request, CancellationToken cancellationToken)
        => ObserveAsync(inner.PatchEndpointAsync(id, request, cancellationToken));

    public Task<bool> DeleteEndpointAsync(string id, CancellationToken cancellationToken)
        => ObserveAsync(inner.DeleteEndpointAsync(id, cancellationToken));

    public Task<IReadOnlyList<CiliumEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken)
        => ObserveAsync(inner.ListEndpointsAsync(cancellationToken));

    private async Task<T> ObserveAsync<T>(Task<T> call)
    {
        try
        {
            var result = await call;
            reachability.RecordAnswer();
            return result;
        }
        catch (CiliumAgentException ex)
        {
            Record(ex);
            throw;
        }
    }

    private async Task ObserveAsync(Task call)
    {
        try
        {
            await call;
            reachability.RecordAnswer();
        }
        catch (CiliumAgentException ex)
        {
            Record(ex);
            throw;
        }
    }

    private void Record(CiliumAgentException exception)
    {
        if (exception.AgentUnreachable)
        {
            reachability.RecordUnreachable(exception.Message);
        }
        else
        {
            reachability.RecordError(exception.Message);
        }
    }
}
