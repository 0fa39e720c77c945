using System.Text.Json.Serialization;

namespace CiliumDocker.Agent;

/// <summary>Body of endpoint PUT and PATCH. <c>state</c> is the only field the agent requires.</summary>
internal sealed record EndpointChangeRequest
{
    public const string WaitingForIdentity = "waiting-for-identity";

    [JsonPropertyName("state")]
    public string State { get; init; } = WaitingForIdentity;

    [JsonPropertyName("container-id")]
    public string? ContainerId { get; init; }

    [JsonPropertyName("container-name")]
    public string? ContainerName { get; init; }

    [JsonPropertyName("docker-endpoint-id")]
    public string? DockerEndpointId { get; init; }

    [JsonPropertyName("docker-network-id")]
    public string? DockerNetworkId { get; init; }

    [JsonPropertyName("labels")]
    public IReadOnlyList<string>? Labels { get; init; }

    [JsonPropertyName("interface-name")]
    public string? InterfaceName { get; init; }

    [JsonPropertyName("interface-index")]
    public int? InterfaceIndex { get; init; }

    [JsonPropertyName("mac")]
    public string? Mac { get; init; }

    [JsonPropertyName("host-mac")]
    public string? HostMac { get; init; }

    [JsonPropertyName("addressing")]
    public AddressPair? Addressing { get; init; }

    [JsonPropertyName("sync-build-endpoint")]
    public bool? SyncBuildEndpoint { get; init; }
}
