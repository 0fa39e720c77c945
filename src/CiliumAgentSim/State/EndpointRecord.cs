using System.Net;

namespace CiliumAgentSim.State;

/// <summary>An endpoint as the agent keeps it. Mutable, guarded by the <see cref="AgentState"/> lock.</summary>
internal sealed class EndpointRecord
{
    public required long Id { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string State { get; set; } = "waiting-for-identity";

    public string? DockerEndpointId { get; set; }

    public string? DockerNetworkId { get; set; }

    public string? ContainerId { get; set; }

    public string? ContainerName { get; set; }

    public string? ContainerInterfaceName { get; set; }

    public string? K8sPodName { get; set; }

    public string? K8sNamespace { get; set; }

    public string? InterfaceName { get; set; }

    public long InterfaceIndex { get; set; }

    public string? Mac { get; set; }

    public string? HostMac { get; set; }

    public IPAddress? IPv4 { get; init; }

    public IPAddress? IPv6 { get; init; }

    public string? IPv4PoolName { get; init; }

    public string? IPv6PoolName { get; init; }

    /// <summary>Labels exactly as the client sent them (<c>container:k=v</c>).</summary>
    public IReadOnlyList<string> Labels { get; set; } = [];

    /// <summary>The agent's CNI attachment id: container id, plus <c>:ifname</c> when the container interface is known.</summary>
    public string? CniAttachmentId =>
        ContainerId is null ? null : ContainerInterfaceName is null ? ContainerId : $"{ContainerId}:{ContainerInterfaceName}";

    public string? PodName => K8sPodName is null ? null : $"{K8sNamespace}/{K8sPodName}";

    public bool Holds(IPAddress address) => address.Equals(IPv4) || address.Equals(IPv6);

    public bool Matches(EndpointId id) => id.Kind switch
    {
        EndpointIdKind.CiliumLocal => id.LocalId == Id,
        EndpointIdKind.DockerEndpoint => id.Value == DockerEndpointId,
        EndpointIdKind.ContainerId => id.Value == ContainerId,
        EndpointIdKind.ContainerName => id.Value == ContainerName,
        EndpointIdKind.CniAttachmentId => id.Value == CniAttachmentId,
        EndpointIdKind.PodName or EndpointIdKind.CepName => id.Value == PodName,
        EndpointIdKind.IPv4 => IPv4 is not null && IpText.TryParse(id.Value, out var v4) && v4.Equals(IPv4),
        EndpointIdKind.IPv6 => IPv6 is not null && IpText.TryParse(id.Value, out var v6) && v6.Equals(IPv6),
        _ => false,
    };
}
