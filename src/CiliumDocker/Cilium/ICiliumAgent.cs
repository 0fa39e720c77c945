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

    /// <summary><c>POST /v1/ipam/{ip}</c>: reserve one specific address.</summary>
    Task AllocateAsync(string ip, string owner, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/ipam/{ip}</c>. An address the agent does not know is already released.</summary>
    Task ReleaseAsync(string ip, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/endpoint/cilium-local:0</c>.</summary>
    Task<CiliumEndpoint?> CreateEndpointAsync(EndpointChangeRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/endpoint/{id}</c>; null when the agent has no such endpoint.</summary>
    Task<CiliumEndpoint?> GetEndpointAsync(string id, CancellationToken cancellationToken);

    /// <summary><c>PATCH /v1/endpoint/{id}</c>; false when the agent has no such endpoint.</summary>
    Task<bool> PatchEndpointAsync(string id, EndpointChangeRequest request, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/endpoint/{id}</c>. An endpoint the agent does not know is already deleted.</summary>
    Task DeleteEndpointAsync(string id, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/endpoint</c>.</summary>
    Task<IReadOnlyList<CiliumEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken);
}
