namespace CiliumAgentSim.State;

internal sealed partial class AgentState
{
    public StateDump Dump()
    {
        lock (_gate)
        {
            var endpoints = _endpoints.Values.ToList();
            return new StateDump
            {
                RouterIPv4 = _ipv4?.Router.ToString(),
                RouterIPv6 = _ipv6?.Router.ToString(),
                Addresses =
                [
                    .. _allocations.Values
                        .OrderBy(a => a.AllocatedAt)
                        .Select(a => new AllocationDump
                        {
                            Ip = a.Address.ToString(),
                            Owner = a.Owner,
                            Pool = a.Pool,
                            AllocatedAt = a.AllocatedAt,
                            ExpirationUuid = a.ExpirationUuid,
                            ExpiresAt = a.ExpiresAt,
                            EndpointId = endpoints.Find(e => e.Holds(a.Address))?.Id,
                        }),
                ],
                Endpoints =
                [
                    .. endpoints.Select(e => new EndpointDump
                    {
                        Id = e.Id,
                        State = e.State,
                        DockerEndpointId = e.DockerEndpointId,
                        DockerNetworkId = e.DockerNetworkId,
                        ContainerId = e.ContainerId,
                        ContainerName = e.ContainerName,
                        InterfaceName = e.InterfaceName,
                        IPv4 = e.IPv4?.ToString(),
                        IPv6 = e.IPv6?.ToString(),
                        Labels = e.Labels,
                        Identity = _identities.Resolve(e.Labels).Id,
                    }),
                ],
                Services =
                [
                    .. _servicesByFrontend.Values.Select(s => new ServiceDump
                    {
                        Id = s.Id,
                        Frontend = s.Frontend.ToString(),
                        Type = s.Type,
                        Backends = [.. s.Backends.Select(b => new System.Net.IPEndPoint(b.Ip, b.Port).ToString())],
                        Name = s.Name.Length == 0 ? null : s.Name,
                        Namespace = s.Namespace.Length == 0 ? null : s.Namespace,
                        InDatapath = s.InDatapath,
                    }),
                ],
                UnclaimedAddresses =
                [
                    .. _allocations.Keys.Where(a => !endpoints.Exists(e => e.Holds(a))).Select(a => a.ToString()),
                ],
                UnallocatedEndpointAddresses =
                [
                    .. endpoints
                        .SelectMany(e => new[] { e.IPv4, e.IPv6 })
                        .Where(a => a is not null && !_allocations.ContainsKey(a))
                        .Select(a => a!.ToString()),
                ],
            };
        }
    }
}
