using System.Net;
using System.Net.Sockets;
using CiliumDocker.Agent;
using CiliumDocker.Cleanup;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Ports;

/// <summary>
/// A container's published ports (<c>docker run -p</c>) as Cilium services: one per frontend, of type HostPort,
/// with the container as its only backend. Created when Docker asks for external connectivity, deleted on revoke,
/// Leave or DeleteEndpoint, whichever comes first. A publish either makes every service of the container or none.
/// </summary>
internal sealed partial class PortPublisher(
    IAgentServices agent,
    IAgentEndpoints endpoints,
    PublishedPortTable table,
    IHostPortProbe probe,
    ILogger<PortPublisher> logger) : IDisposable
{
    public const string ServiceType = "HostPort";
    public const string ServiceNamespace = "cilium-docker";

    // Host traffic from outside the node as well: the 1.10 agent refuses a frontend without a scope (460).
    public const string FrontendScope = "external";

    // Between the -p mappings one service serves (TCP and UDP of one port).
    private const string RequestSeparator = ", ";

    // Cilium's service ids are 16 bits wide (its reverse-NAT index).
    private const long MaxServiceId = 65535;

    // One publish at a time: choosing a free host port and a free id is a read-then-write of the whole table.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="backends">the container's addresses; asked for only when there are ports to publish.</param>
    public async Task PublishAsync(string endpointId, IReadOnlyList<PortMapping> mappings, Func<CancellationToken, Task<IReadOnlyList<IPAddress>>> backends, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        ArgumentNullException.ThrowIfNull(mappings);
        ArgumentNullException.ThrowIfNull(backends);
        if (mappings.Count == 0 && table.OfEndpoint(endpointId).Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var existing = table.OfEndpoint(endpointId);
            if (existing.Count > 0 && SameRequest(existing, mappings))
            {
                // Docker repeats the call when the container's gateway moves: the services stand, and asserting them
                // again restores one an agent lost.
                foreach (var port in existing)
                {
                    await agent.UpsertServiceAsync(ToSpec(port), cancellationToken);
                }

                return;
            }

            if (existing.Count > 0)
            {
                await UnpublishLockedAsync(endpointId, existing, cancellationToken);
            }

            if (mappings.Count > 0)
            {
                await PublishLockedAsync(endpointId, mappings, await backends(cancellationToken), cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Deletes the endpoint's services. Never fails Docker's call: what the agent cannot take now is owed.</summary>
    public async Task UnpublishAsync(string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        if (table.OfEndpoint(endpointId).Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await UnpublishLockedAsync(endpointId, table.OfEndpoint(endpointId), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The janitor's round, under the same gate as Docker's calls: owed deletions, services a dead process
    /// was creating, and services an agent no longer has. With <paramref name="checkEndpoints"/> (the first round
    /// after start) it also deletes the services of endpoints the agent no longer has: containers removed while the
    /// plugin was down.</summary>
    public async Task RepairAsync(bool checkEndpoints, CancellationToken cancellationToken)
    {
        if (table.Snapshot().Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // Under the gate no publish of this process is under way, so a Creating record is a dead process's.
            foreach (var port in table.Snapshot().Where(port => port.State != PublishedPortState.Published))
            {
                await DeleteAsync(port, cancellationToken);
            }

            var published = table.Snapshot();
            if (published.Count == 0)
            {
                return;
            }

            if (checkEndpoints)
            {
                foreach (var endpointId in published.Select(port => port.EndpointId).Distinct(StringComparer.Ordinal))
                {
                    if (await endpoints.GetEndpointAsync(EndpointIds.DockerEndpoint(endpointId), cancellationToken) is null)
                    {
                        LogOrphaned(logger, endpointId);
                        await UnpublishLockedAsync(endpointId, table.OfEndpoint(endpointId), cancellationToken);
                    }
                }
            }

            var present = (await agent.ListServicesAsync(cancellationToken)).Select(service => service.Spec?.Id).ToHashSet();
            foreach (var port in table.Snapshot().Where(port => !present.Contains(port.ServiceId)))
            {
                LogRestoring(logger, port.ServiceId, port.Frontend.ToString(), port.EndpointId);
                await agent.UpsertServiceAsync(ToSpec(port), cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task PublishLockedAsync(string endpointId, IReadOnlyList<PortMapping> mappings, IReadOnlyList<IPAddress> backends, CancellationToken cancellationToken)
    {
        var services = await agent.ListServicesAsync(cancellationToken);
        var plan = new PublishPlan(endpointId, table.Snapshot(), services, probe);
        foreach (var mapping in mappings)
        {
            plan.Add(mapping, backends);
        }

        table.Add(plan.Ports);
        var made = new List<PublishedPort>();
        try
        {
            foreach (var port in plan.Ports)
            {
                await agent.UpsertServiceAsync(ToSpec(port), cancellationToken);
                made.Add(port);
            }
        }
        catch (Exception ex) when (ex is CiliumAgentException or OperationCanceledException)
        {
            // Nothing half-made: the services already created go, and so do the records of the rest.
            foreach (var port in plan.Ports)
            {
                await DeleteAsync(port, CancellationToken.None);
            }

            if (ex is CiliumAgentException agentFailure)
            {
                var failed = plan.Ports[made.Count];
                throw new RequestRefusedException(
                    $"publishing {failed.Requested} as host port {failed.Frontend} failed, and no port of the container was published: {agentFailure.Message}",
                    agentFailure);
            }

            throw;
        }

        foreach (var port in plan.Ports)
        {
            table.SetState(port.ServiceId, PublishedPortState.Published);
        }

        LogPublished(logger, endpointId, plan.Ports);
    }

    private async Task UnpublishLockedAsync(string endpointId, IReadOnlyList<PublishedPort> ports, CancellationToken cancellationToken)
    {
        foreach (var port in ports)
        {
            await DeleteAsync(port, cancellationToken);
        }

        LogUnpublished(logger, endpointId, ports.Count);
    }

    /// <summary>Deletes one service at the agent and its record; a deletion the agent cannot take now stays owed.</summary>
    private async Task DeleteAsync(PublishedPort port, CancellationToken cancellationToken)
    {
        (OwedWorkOutcome Outcome, CiliumAgentException? Failure) deletion;
        try
        {
            deletion = await OwedWork.TryAsync(() => agent.DeleteServiceAsync(port.ServiceId, cancellationToken));
        }
        catch (OperationCanceledException)
        {
            table.SetState(port.ServiceId, PublishedPortState.DeletionOwed);
            throw;
        }

        switch (deletion.Outcome)
        {
            case OwedWorkOutcome.StillOwed:
                table.SetState(port.ServiceId, PublishedPortState.DeletionOwed);
                LogDeletionOwed(logger, port.ServiceId, port.Frontend.ToString(), deletion.Failure!.Message);
                return;
            case OwedWorkOutcome.Refused:
                LogDeletionRefused(logger, port.ServiceId, deletion.Failure!.Message);
                break;
        }

        table.Remove(port.ServiceId);
    }

    private static bool SameRequest(IReadOnlyList<PublishedPort> existing, IReadOnlyList<PortMapping> mappings) =>
        existing.All(port => port.State == PublishedPortState.Published)
        && existing.SelectMany(port => port.Requested.Split(RequestSeparator)).ToHashSet(StringComparer.Ordinal)
            .SetEquals(mappings.Select(mapping => mapping.ToString()));

    public void Dispose() => _gate.Dispose();

    public static ServiceSpec ToSpec(PublishedPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        return new ServiceSpec
        {
            Id = port.ServiceId,
            FrontendAddress = new FrontendAddress { Ip = port.FrontendIp, Port = port.FrontendPort, Protocol = PortNames.Of(port.Protocol), Scope = FrontendScope },
            BackendAddresses = [new BackendAddress { Ip = port.BackendIp, Port = port.BackendPort }],
            Flags = new ServiceFlags { Type = ServiceType, Name = ServiceName(port.EndpointId), Namespace = ServiceNamespace },
        };
    }

    /// <summary>Names the container in <c>cilium service list</c>: Docker's endpoint id, shortened as Docker shortens ids.</summary>
    public static string ServiceName(string endpointId) => "docker-endpoint-" + endpointId[..Math.Min(12, endpointId.Length)];

    /// <summary>Chooses host ports and service ids for one publish, against everything already holding a port.</summary>
    private sealed class PublishPlan(string endpointId, IReadOnlyList<PublishedPort> owned, IReadOnlyList<AgentService> services, IHostPortProbe probe)
    {
        private readonly HashSet<long> _takenIds = [.. owned.Select(port => port.ServiceId), .. services.Select(service => service.Spec?.Id ?? 0)];
        private long _nextId = 1;

        public List<PublishedPort> Ports { get; } = [];

        public void Add(PortMapping mapping, IReadOnlyList<IPAddress> backends)
        {
            var targets = Targets(mapping, backends);
            if (targets.Count == 0)
            {
                return;
            }

            var (first, last) = mapping.HostPort == 0 ? probe.EphemeralRange : (mapping.HostPort, Math.Max(mapping.HostPort, mapping.HostPortEnd));
            string? reason = null;
            for (var hostPort = first; hostPort <= last; hostPort++)
            {
                var frontends = targets.Select(target => new PortFrontend(mapping.Protocol, target.Frontend, hostPort)).ToList();
                if (TryCover(mapping, frontends))
                {
                    return;
                }

                reason = frontends.Select(FindHolder).FirstOrDefault(holder => holder is not null);
                if (reason is null)
                {
                    for (var i = 0; i < frontends.Count; i++)
                    {
                        Ports.Add(new PublishedPort(
                            NextId(), endpointId, mapping.ToString(), mapping.Protocol, frontends[i].Address.ToString(), hostPort,
                            targets[i].Backend.ToString(), mapping.ContainerPort, PublishedPortState.Creating));
                    }

                    return;
                }
            }

            var what = first == last ? $"host port {first}" : $"no host port in {first}-{last} is free; {last}";
            throw new RequestRefusedException(
                $"cannot publish {mapping}: {what} is already taken ({reason}); choose another host port, or stop what holds it");
        }

        /// <summary>Each frontend address with the container address of its family. An unspecified host address of
        /// a family the container lacks is skipped, as Docker skips it; a named one is an error.</summary>
        private static List<(IPAddress Frontend, IPAddress Backend)> Targets(PortMapping mapping, IReadOnlyList<IPAddress> backends)
        {
            var targets = new List<(IPAddress, IPAddress)>();
            foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
            {
                if (mapping.HostIP is { } hostIP && hostIP.AddressFamily != family)
                {
                    continue;
                }

                var backend = backends.FirstOrDefault(address => address.AddressFamily == family);
                if (backend is null)
                {
                    if (mapping.HostIP is { } named && !PortFrontend.WildcardOf(family).Equals(named))
                    {
                        throw new RequestRefusedException(
                            $"cannot publish {mapping}: the host address is {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")}, and the container has no address of that family on this Cilium network");
                    }

                    continue;
                }

                targets.Add((mapping.HostIP ?? PortFrontend.WildcardOf(family), backend));
            }

            if (targets.Count == 0 && mapping.HostIP is null)
            {
                throw new RequestRefusedException($"cannot publish {mapping}: the container has no address on this Cilium network");
            }

            return targets;
        }

        /// <summary><c>-p 53:53/tcp -p 53:53/udp</c>: the service made for the one already takes the other's packets
        /// (the agent does not tell the protocols apart), so the second mapping is recorded on the same services.</summary>
        private bool TryCover(PortMapping mapping, List<PortFrontend> frontends)
        {
            var covering = frontends.Select(frontend => Ports.FindIndex(port => port.Frontend == frontend with { Protocol = port.Protocol } && port.BackendPort == mapping.ContainerPort)).ToList();
            if (covering.Contains(-1))
            {
                return false;
            }

            foreach (var index in covering)
            {
                Ports[index] = Ports[index] with { Requested = Ports[index].Requested + RequestSeparator + mapping };
            }

            return true;
        }

        private string? FindHolder(PortFrontend frontend)
        {
            if (Ports.Find(port => port.Frontend.Overlaps(frontend)) is { } twice)
            {
                return $"the container publishes it already, as {twice.Requested}; Cilium's load balancer does not tell TCP from UDP, so one host port goes to one container port";
            }

            if (owned.FirstOrDefault(port => port.Frontend.Overlaps(frontend)) is { } mine)
            {
                return $"published by endpoint {mine.EndpointId[..Math.Min(12, mine.EndpointId.Length)]} as Cilium service {mine.ServiceId}";
            }

            foreach (var service in services)
            {
                if (service.Spec?.FrontendAddress is { } address && AsFrontend(address) is { } other && other.Overlaps(frontend))
                {
                    return $"Cilium service {service.Spec.Id} ({other.AddressAndPort}) uses it";
                }
            }

            return probe.FindHolder(frontend);
        }

        private long NextId()
        {
            while (_takenIds.Contains(_nextId))
            {
                _nextId++;
            }

            if (_nextId > MaxServiceId)
            {
                throw new RequestRefusedException($"the Cilium agent has no free service id left (all {MaxServiceId} are in use)");
            }

            _takenIds.Add(_nextId);
            return _nextId;
        }

        /// <summary>An agent frontend as a port frontend. 1.10 agents do not answer the protocol, and it does not
        /// count for overlaps anyway.</summary>
        private static PortFrontend? AsFrontend(FrontendAddress address) =>
            IPAddress.TryParse(address.Ip, out var ip) ? new PortFrontend(PortProtocol.Tcp, ip, address.Port) : null;
    }

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "endpoint {EndpointId} publishes {Ports}")]
    private static partial void LogPublished(ILogger logger, string endpointId, IReadOnlyList<PublishedPort> ports);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "endpoint {EndpointId}: {Count} published port(s) removed")]
    private static partial void LogUnpublished(ILogger logger, string endpointId, int count);

    [LoggerMessage(EventId = 803, Level = LogLevel.Warning, Message = "deleting Cilium service {ServiceId} ({Frontend}) deferred, it will be retried in the background: {Reason}")]
    private static partial void LogDeletionOwed(ILogger logger, long serviceId, string frontend, string reason);

    [LoggerMessage(EventId = 804, Level = LogLevel.Warning, Message = "deletion of Cilium service {ServiceId} dropped, the agent refuses it for good: {Reason}")]
    private static partial void LogDeletionRefused(ILogger logger, long serviceId, string reason);

    [LoggerMessage(EventId = 805, Level = LogLevel.Information, Message = "endpoint {EndpointId} is no longer at the Cilium agent (its container went while the plugin was down); removing its published ports")]
    private static partial void LogOrphaned(ILogger logger, string endpointId);

    [LoggerMessage(EventId = 806, Level = LogLevel.Warning, Message = "the Cilium agent lost service {ServiceId} ({Frontend}) of endpoint {EndpointId}; creating it again")]
    private static partial void LogRestoring(ILogger logger, long serviceId, string frontend, string endpointId);
}
