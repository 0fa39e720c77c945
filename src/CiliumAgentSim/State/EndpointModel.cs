using System.Globalization;
using CiliumAgentSim.Model;

namespace CiliumAgentSim.State;

/// <summary>Renders an <see cref="EndpointRecord"/> as the agent's <c>Endpoint</c> model.</summary>
internal static class EndpointModel
{
    public static AgentEndpoint From(EndpointRecord record, Identity identity)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(identity);
        return new AgentEndpoint
        {
            Id = record.Id,
            Spec = new EndpointConfigurationSpec(),
            Status = new EndpointStatus
            {
                State = record.State,
                Identity = identity,
                Labels = new LabelConfigurationStatus { SecurityRelevant = identity.Labels },
                ExternalIdentifiers = new EndpointIdentifiers
                {
                    CniAttachmentId = record.CniAttachmentId,
                    ContainerId = record.ContainerId,
                    ContainerName = record.ContainerName,
                    DockerEndpointId = record.DockerEndpointId,
                    DockerNetworkId = record.DockerNetworkId,
                    K8sNamespace = record.K8sNamespace,
                    K8sPodName = record.K8sPodName,
                    PodName = record.PodName,
                },
                Networking = new EndpointNetworking
                {
                    Addressing =
                    [
                        new AddressPair
                        {
                            IPv4 = record.IPv4?.ToString(),
                            IPv4PoolName = record.IPv4PoolName,
                            IPv6 = record.IPv6?.ToString(),
                            IPv6PoolName = record.IPv6PoolName,
                        },
                    ],
                    HostMac = record.HostMac,
                    InterfaceIndex = record.InterfaceIndex,
                    InterfaceName = record.InterfaceName,
                    Mac = record.Mac,
                },
                Log =
                [
                    new EndpointStatusChange
                    {
                        Message = "Successfully regenerated endpoint program (Reason: Initial build on endpoint creation)",
                        State = record.State,
                        Timestamp = record.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                    },
                ],
            },
        };
    }
}
