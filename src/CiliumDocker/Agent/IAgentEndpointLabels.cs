namespace CiliumDocker.Agent;

/// <summary>The one agent call the label watcher makes; failures surface as <see cref="CiliumAgentException"/>.</summary>
internal interface IAgentEndpointLabels
{
    /// <summary>The agent socket, named in every error so an operator knows what to check.</summary>
    string Endpoint { get; }

    /// <summary><c>PATCH /v1/endpoint/{id}</c>; false when the agent has no such endpoint.</summary>
    Task<bool> PatchEndpointAsync(string id, EndpointChangeRequest request, CancellationToken cancellationToken);
}
