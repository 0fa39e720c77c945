using System.Text.Json.Serialization;

namespace CiliumAgentSim.Model;

/// <summary>The agent's <c>Endpoint</c> model, as <c>GET /v1/endpoint/{id}</c> returns it.</summary>
internal sealed class AgentEndpoint
{
    [JsonPropertyName("id")]
    public long Id { get; init; }

    [JsonPropertyName("spec")]
    public required EndpointConfigurationSpec Spec { get; init; }

    [JsonPropertyName("status")]
    public required EndpointStatus Status { get; init; }
}

internal sealed class EndpointConfigurationSpec
{
    [JsonPropertyName("label-configuration")]
    public LabelConfigurationSpec LabelConfiguration { get; init; } = new();
}

internal sealed class LabelConfigurationSpec
{
    [JsonPropertyName("user")]
    public IReadOnlyList<string> User { get; init; } = [];
}

internal sealed class EndpointStatus
{
    [JsonPropertyName("controllers")]
    public IReadOnlyList<ControllerStatus> Controllers { get; init; } = [];

    [JsonPropertyName("external-identifiers")]
    public required EndpointIdentifiers ExternalIdentifiers { get; init; }

    [JsonPropertyName("health")]
    public EndpointHealth Health { get; init; } = new();

    [JsonPropertyName("identity")]
    public required Identity Identity { get; init; }

    [JsonPropertyName("labels")]
    public required LabelConfigurationStatus Labels { get; init; }

    [JsonPropertyName("log")]
    public IReadOnlyList<EndpointStatusChange> Log { get; init; } = [];

    [JsonPropertyName("networking")]
    public required EndpointNetworking Networking { get; init; }

    [JsonPropertyName("policy")]
    public EndpointPolicyStatus Policy { get; init; } = new();

    [JsonPropertyName("state")]
    public required string State { get; init; }
}

internal sealed class ControllerStatus
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("uuid")]
    public required string Uuid { get; init; }
}

internal sealed class EndpointIdentifiers
{
    [JsonPropertyName("cni-attachment-id")]
    public string? CniAttachmentId { get; init; }

    [JsonPropertyName("container-id")]
    public string? ContainerId { get; init; }

    [JsonPropertyName("container-name")]
    public string? ContainerName { get; init; }

    [JsonPropertyName("docker-endpoint-id")]
    public string? DockerEndpointId { get; init; }

    [JsonPropertyName("docker-network-id")]
    public string? DockerNetworkId { get; init; }

    [JsonPropertyName("k8s-namespace")]
    public string? K8sNamespace { get; init; }

    [JsonPropertyName("k8s-pod-name")]
    public string? K8sPodName { get; init; }

    [JsonPropertyName("pod-name")]
    public string? PodName { get; init; }
}

internal sealed class EndpointHealth
{
    [JsonPropertyName("bpf")]
    public string Bpf { get; init; } = "OK";

    [JsonPropertyName("connected")]
    public bool Connected { get; init; } = true;

    [JsonPropertyName("overallHealth")]
    public string OverallHealth { get; init; } = "OK";

    [JsonPropertyName("policy")]
    public string Policy { get; init; } = "OK";
}

internal sealed class Identity
{
    [JsonPropertyName("id")]
    public long Id { get; init; }

    [JsonPropertyName("labels")]
    public required IReadOnlyList<string> Labels { get; init; }

    [JsonPropertyName("labelsSHA256")]
    public required string LabelsSha256 { get; init; }
}

internal sealed class LabelConfigurationStatus
{
    [JsonPropertyName("derived")]
    public IReadOnlyList<string> Derived { get; init; } = [];

    [JsonPropertyName("disabled")]
    public IReadOnlyList<string> Disabled { get; init; } = [];

    [JsonPropertyName("realized")]
    public LabelConfigurationSpec Realized { get; init; } = new();

    [JsonPropertyName("security-relevant")]
    public required IReadOnlyList<string> SecurityRelevant { get; init; }
}

internal sealed class EndpointStatusChange
{
    [JsonPropertyName("code")]
    public string Code { get; init; } = "OK";

    [JsonPropertyName("message")]
    public required string Message { get; init; }

    [JsonPropertyName("state")]
    public required string State { get; init; }

    [JsonPropertyName("timestamp")]
    public required string Timestamp { get; init; }
}

internal sealed class EndpointNetworking
{
    [JsonPropertyName("addressing")]
    public required IReadOnlyList<AddressPair> Addressing { get; init; }

    [JsonPropertyName("host-mac")]
    public string? HostMac { get; init; }

    [JsonPropertyName("interface-index")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long InterfaceIndex { get; init; }

    [JsonPropertyName("interface-name")]
    public string? InterfaceName { get; init; }

    [JsonPropertyName("mac")]
    public string? Mac { get; init; }
}

internal sealed class EndpointPolicyStatus
{
    [JsonPropertyName("proxy-statistics")]
    public IReadOnlyList<string> ProxyStatistics { get; init; } = [];
}
