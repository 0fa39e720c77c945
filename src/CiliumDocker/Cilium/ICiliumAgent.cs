namespace CiliumDocker.Cilium;

/// <summary>
/// The subset of the Cilium agent REST API (<c>/v1</c>) the plugin uses. Implementations own transport,
/// retries and error translation: every failure surfaces as <see cref="CiliumAgentException"/>.
/// </summary>
internal interface ICiliumAgent
{
    /// <summary>The agent socket, named in every error so an operator knows what to check.</summary>
    string Endpoint { get; }

    Task<DaemonConfigurationStatus> GetConfigAsync(CancellationToken cancellationToken);

    /// <summary><c>POST /v1/ipam?family=..&amp;owner=..</c>. With <paramref name="expiration"/> the agent frees the
    /// address after its timeout unless an endpoint claims it with the returned expiration UUID.</summary>
    Task<IpamResponse> AllocateNextAsync(IpFamily family, string owner, bool expiration, CancellationToken cancellationToken);

    /// <summary><c>POST /v1/ipam/{ip}?owner=..&amp;pool=..</c>: reserve one specific address. The agent answers every
    /// refusal (taken, outside its range, family disabled) with 500 and a message.</summary>
    Task AllocateAsync(string ip, string owner, string pool, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/ipam/{ip}?pool=..</c>. An address the agent does not know is already released.</summary>
    Task ReleaseAsync(string ip, string pool, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/endpoint/cilium-local:0</c>.</summary>
    Task<CiliumEndpoint?> CreateEndpointAsync(EndpointChangeRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/endpoint/{id}</c>; null when the agent has no such endpoint.</summary>
    Task<CiliumEndpoint?> GetEndpointAsync(string id, CancellationToken cancellationToken);

    /// <summary><c>PATCH /v1/endpoint/{id}</c>; false when the agent has no such endpoint.</summary>
    Task<bool> PatchEndpointAsync(string id, EndpointChangeRequest request, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/endpoint/{id}</c>: true when the agent deleted the endpoint, which also releases its
    /// addresses; false when it had no such endpoint (already deleted).</summary>
    Task<bool> DeleteEndpointAsync(string id, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/endpoint</c>.</summary>
    Task<IReadOnlyList<CiliumEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken);
}
