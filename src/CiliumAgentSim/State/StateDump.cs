using System.Text.Json.Serialization;

namespace CiliumAgentSim.State;

/// <summary>What <c>GET /state</c> on the control socket shows: everything a leak check needs.</summary>
internal sealed class StateDump
{
    [JsonPropertyName("agentUp")]
    public bool AgentUp { get; set; }

    [JsonPropertyName("restarts")]
    public int Restarts { get; set; }

    [JsonPropertyName("routerIPv4")]
    public string? RouterIPv4 { get; init; }

    [JsonPropertyName("routerIPv6")]
    public string? RouterIPv6 { get; init; }

    [JsonPropertyName("addresses")]
    public required IReadOnlyList<AllocationDump> Addresses { get; init; }

    [JsonPropertyName("endpoints")]
    public required IReadOnlyList<EndpointDump> Endpoints { get; init; }

    /// <summary>Every service the agent holds (a leak check expects none once the plugin is done).</summary>
    [JsonPropertyName("services")]
    public required IReadOnlyList<ServiceDump> Services { get; init; }

    /// <summary>Allocated addresses no endpoint holds (leaks, unless an allocation is still in flight).</summary>
    [JsonPropertyName("unclaimedAddresses")]
    public required IReadOnlyList<string> UnclaimedAddresses { get; init; }

    /// <summary>Endpoint addresses IPAM does not have allocated (released or expired under an endpoint).</summary>
    [JsonPropertyName("unallocatedEndpointAddresses")]
    public required IReadOnlyList<string> UnallocatedEndpointAddresses { get; init; }
}

internal sealed class AllocationDump
{
    [JsonPropertyName("ip")]
    public required string Ip { get; init; }

    [JsonPropertyName("owner")]
    public required string Owner { get; init; }

    [JsonPropertyName("pool")]
    public required string Pool { get; init; }

    [JsonPropertyName("allocatedAt")]
    public DateTimeOffset AllocatedAt { get; init; }

    [JsonPropertyName("expirationUuid")]
    public string? ExpirationUuid { get; init; }

    [JsonPropertyName("expiresAt")]
    public DateTimeOffset? ExpiresAt { get; init; }

    [JsonPropertyName("endpointId")]
    public long? EndpointId { get; init; }
}

internal sealed class EndpointDump
{
    [JsonPropertyName("id")]
    public long Id { get; init; }

    [JsonPropertyName("state")]
    public required string State { get; init; }

    [JsonPropertyName("dockerEndpointId")]
    public string? DockerEndpointId { get; init; }

    [JsonPropertyName("dockerNetworkId")]
    public string? DockerNetworkId { get; init; }

    [JsonPropertyName("containerId")]
    public string? ContainerId { get; init; }

    [JsonPropertyName("containerName")]
    public string? ContainerName { get; init; }

    [JsonPropertyName("interfaceName")]
    public string? InterfaceName { get; init; }

    [JsonPropertyName("ipv4")]
    public string? IPv4 { get; init; }

    [JsonPropertyName("ipv6")]
    public string? IPv6 { get; init; }

    [JsonPropertyName("labels")]
    public required IReadOnlyList<string> Labels { get; init; }

    [JsonPropertyName("identity")]
    public long Identity { get; init; }
}

internal sealed class ServiceDump
{
    [JsonPropertyName("id")]
    public uint Id { get; init; }

    [JsonPropertyName("frontend")]
    public required string Frontend { get; init; }

    [JsonPropertyName("type")]
    public required string Type { get; init; }

    [JsonPropertyName("backends")]
    public required IReadOnlyList<string> Backends { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    /// <summary>False for a service whose last upsert failed before it reached the (simulated) BPF map.</summary>
    [JsonPropertyName("inDatapath")]
    public bool InDatapath { get; init; }
}
