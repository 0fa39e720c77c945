namespace CiliumDocker.Agent;

/// <summary>
/// The agent's endpoint API (<c>/v1/endpoint</c>). Implementations own transport, retries and error translation:
/// every failure surfaces as <see cref="CiliumAgentException"/>.
/// </summary>
internal interface IAgentEndpoints
{
    /// <summary>The agent socket, named in every error so an operator knows what to check.</summary>
    string Endpoint { get; }

    /// <summary><c>PUT /v1/endpoint/cilium-local:0</c>.</summary>
    Task<CiliumEndpoint?> CreateEndpointAsync(EndpointChangeRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/endpoint/{id}</c>; null when the agent has no such endpoint.</summary>
    Task<CiliumEndpoint?> GetEndpointAsync(string id, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/endpoint/{id}</c>: true when the agent deleted the endpoint, which also releases its
    /// addresses; false when it had no such endpoint (already deleted).</summary>
    Task<bool> DeleteEndpointAsync(string id, CancellationToken cancellationToken);
}
