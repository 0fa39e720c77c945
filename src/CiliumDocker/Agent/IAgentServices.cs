namespace CiliumDocker.Agent;

/// <summary>
/// The agent's load-balancer API (<c>/v1/service</c>). Implementations own transport, retries and error
/// translation: every failure surfaces as <see cref="CiliumAgentException"/>.
/// </summary>
internal interface IAgentServices
{
    /// <summary>The agent socket, named in every error so an operator knows what to check.</summary>
    string Endpoint { get; }

    /// <summary><c>GET /v1/service</c>.</summary>
    Task<IReadOnlyList<AgentService>> ListServicesAsync(CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/service/{id}</c>: creates the service or replaces the one with that id. The caller
    /// chooses the id; the agent refuses a frontend another id already serves.</summary>
    Task UpsertServiceAsync(ServiceSpec spec, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/service/{id}</c>: true when the agent deleted it, false when it had no such service.</summary>
    Task<bool> DeleteServiceAsync(long id, CancellationToken cancellationToken);
}
