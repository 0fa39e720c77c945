namespace CiliumDocker.Agent;

/// <summary>The agent's <c>GET /v1/config</c>, which only the configuration monitor calls; failures surface as
/// <see cref="CiliumAgentException"/>.</summary>
internal interface IAgentConfigSource
{
    /// <summary>The agent socket, named in every error so an operator knows what to check.</summary>
    string Endpoint { get; }

    Task<DaemonConfigurationStatus> GetConfigAsync(CancellationToken cancellationToken);
}
