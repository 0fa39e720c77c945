using System.Text.Json.Serialization;

namespace CiliumAgentSim.Model;

/// <summary>Body of <c>PUT</c> and <c>PATCH /v1/endpoint/{id}</c>; only <c>state</c> is required.</summary>
internal sealed class EndpointChangeRequest
{
    [JsonPropertyName("id")]
    public long Id { get; init; }

    [JsonPropertyName("state")]
    public string? State { get; init; }

    [JsonPropertyName("container-id")]
    public string? ContainerId { get; init; }

    [JsonPropertyName("container-name")]
    public string? ContainerName { get; init; }

    [JsonPropertyName("container-interface-name")]
    public string? ContainerInterfaceName { get; init; }

    [JsonPropertyName("docker-endpoint-id")]
    public string? DockerEndpointId { get; init; }

    [JsonPropertyName("docker-network-id")]
    public string? DockerNetworkId { get; init; }

    [JsonPropertyName("k8s-pod-name")]
    public string? K8sPodName { get; init; }

    [JsonPropertyName("k8s-namespace")]
    public string? K8sNamespace { get; init; }

    [JsonPropertyName("labels")]
    public IReadOnlyList<string>? Labels { get; init; }

    [JsonPropertyName("interface-name")]
    public string? InterfaceName { get; init; }

    [JsonPropertyName("interface-index")]
    public long InterfaceIndex { get; init; }

    [JsonPropertyName("mac")]
    public string? Mac { get; init; }

    [JsonPropertyName("host-mac")]
    public string? HostMac { get; init; }

    [JsonPropertyName("addressing")]
    public AddressPair? Addressing { get; init; }

    [JsonPropertyName("sync-build-endpoint")]
    public bool SyncBuildEndpoint { get; init; }
}
