using System.Text.Json.Serialization;

namespace CiliumDocker.Agent;

/// <summary>The parts of the agent's <c>Endpoint</c> model the plugin reads.</summary>
internal sealed class CiliumEndpoint
{
    [JsonPropertyName("id")]
    public long Id { get; init; }

    [JsonPropertyName("status")]
    public CiliumEndpointStatus? Status { get; init; }
}

internal sealed class CiliumEndpointStatus
{
    [JsonPropertyName("state")]
    public string? State { get; init; }

    [JsonPropertyName("external-identifiers")]
    public EndpointIdentifiers? ExternalIdentifiers { get; init; }

    [JsonPropertyName("networking")]
    public EndpointNetworking? Networking { get; init; }
}

internal sealed class EndpointIdentifiers
{
    [JsonPropertyName("container-id")]
    public string? ContainerId { get; init; }

    [JsonPropertyName("container-name")]
    public string? ContainerName { get; init; }

    [JsonPropertyName("docker-endpoint-id")]
    public string? DockerEndpointId { get; init; }

    [JsonPropertyName("docker-network-id")]
    public string? DockerNetworkId { get; init; }
}

internal sealed class EndpointNetworking
{
    [JsonPropertyName("addressing")]
    public IReadOnlyList<AddressPair>? Addressing { get; init; }

    [JsonPropertyName("interface-name")]
    public string? InterfaceName { get; init; }
}
