using CiliumAgentSim.Model;

namespace CiliumAgentSim.State;

/// <summary>
/// The agent's service cache (<c>pkg/service</c>): services by id and by frontend, the service and backend id
/// allocators, and backend reference counts. Mirrors <c>UpsertService</c> step by step, including what it leaves
/// behind when a later step fails.
/// </summary>
internal sealed partial class AgentState
{
    private const uint FirstServiceId = 1;
    private const uint MaxServiceId = ushort.MaxValue;

    private readonly Dictionary<uint, ServiceRecord> _servicesById = [];
    private readonly Dictionary<(System.Net.IPAddress, ushort, ServiceScope), ServiceRecord> _servicesByFrontend = [];
    private readonly BackendIds _backendIds = new();
    private uint _nextServiceId = FirstServiceId;

    /// <summary>The node name the agent compares backends' <c>nodeName</c> with (its hostname without Kubernetes).</summary>
    public static string NodeName { get; } = Environment.MachineName;

    public ServiceChange UpsertService(ServiceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var frontend = request.Frontend;
        if (frontend.IsIPv6 ? _ipv6 is null : _ipv4 is null)
        {
            return new ServiceChange(500, $"Unable to upsert service {frontend} as {(frontend.IsIPv6 ? "IPv6" : "IPv4")} is disabled", null);
        }

        lock (_gate)
        {
            var (service, created, error) = FindOrCreateService(request);
            if (error is not null)
            {
                return new ServiceChange(500, error, null);
            }

            var newBackends = UpdateBackends(service!, request.Backends);
            if (newBackends.Find(b => b.Ip.AddressFamily != frontend.Ip.AddressFamily && !frontend.IsIPv6) is { } mismatch)
            {
                // The BPF map refuses an IPv6 backend of an IPv4 service; the cache keeps the service regardless.
                return new ServiceChange(500, $"Unable to create backend ({mismatch.Id}, {mismatch.Ip}, {mismatch.Port}, false): Not an IPv4 address", null);
            }

            service!.MapSlots = service.Backends.DistinctBy(b => b.Key).Count();
            var realized = Copy(service);
            return service.Id != request.Id
                ? new ServiceChange(
                    ServiceRequest.InvalidFrontend,
                    $"the service provided is already registered with ID {service.Id}, please use that ID instead of {request.Id}",
                    realized)
                : new ServiceChange(created ? ServiceChange.Created : ServiceChange.Updated, null, realized);
        }
    }

    /// <summary>GET and DELETE take the id as the agent's 16-bit <c>ServiceID</c>: 65545 finds service 9.</summary>
    public Service? GetService(long id)
    {
        lock (_gate)
        {
            return _servicesById.TryGetValue(unchecked((ushort)id), out var service) ? ModelOf(service) : null;
        }
    }

    public IReadOnlyList<Service> ListServices()
    {
        lock (_gate)
        {
            return [.. _servicesByFrontend.Values.Select(ModelOf)];
        }
    }

    /// <summary>
    /// Removes the service (200, its id), or 404. The agent deletes one map slot per backend it holds, so a service
    /// that never reached the map, or that lists a backend twice (the map has one slot per distinct backend), fails
    /// with 500 and stays: only a restart that clears the maps removes it.
    /// </summary>
    public AgentResult<uint> DeleteService(long id)
    {
        lock (_gate)
        {
            if (!_servicesById.TryGetValue(unchecked((ushort)id), out var service))
            {
                return AgentResult<uint>.Fail(404);
            }

            if (service.MapSlots is not { } slots || service.Backends.Count > slots)
            {
                var frontend = service.Frontend;
                var key = frontend.IsIPv6 ? $"[{frontend.Ip}]" : frontend.Ip.ToString();
                var networkOrderPort = (ushort)((frontend.Port >> 8) | (frontend.Port << 8));
                return AgentResult<uint>.Fail(500,
                    $"Unable to delete service entry {key}:{networkOrderPort}: unable to delete element {frontend}"
                    + $" from map cilium_lb{(frontend.IsIPv6 ? 6 : 4)}_services_v2: no such file or directory");
            }

            _servicesById.Remove(unchecked((ushort)id));

            _servicesByFrontend.Remove(service.Frontend.Key);
            foreach (var backend in service.Backends.DistinctBy(b => b.Key))
            {
                _backendIds.Release(backend.Key);
            }

            return AgentResult<uint>.Ok(200, service.Id);
        }
    }

    /// <summary>Every service the datapath carries, for a restart that forgets the agent's state.</summary>
    public IReadOnlyList<ServiceRecord> ServicesInDatapath()
    {
        lock (_gate)
        {
            return [.. _servicesByFrontend.Values.Where(s => s.InDatapath).Select(Copy)];
        }
    }

    /// <summary>
    /// What an agent restart does to services: they come back from the BPF maps, which hold no name, namespace,
    /// health-check port or backend node name, a 16-bit id, and of the traffic policy only the local-only flag.
    /// A service that never reached the maps is gone. Answers the ids of services dropped that way.
    /// </summary>
    public IReadOnlyList<uint> RestoreServicesAfterRestart()
    {
        lock (_gate)
        {
            var services = _servicesByFrontend.Values.ToList();
            _servicesById.Clear();
            _servicesByFrontend.Clear();
            _backendIds.Clear();
            List<uint> dropped = [];
            foreach (var service in services)
            {
                if (!service.InDatapath)
                {
                    dropped.Add(service.Id);
                    continue;
                }

                service.Id = unchecked((ushort)service.Id);
                service.TrafficPolicy = service.OnlyLocalBackends ? ServiceTypes.PolicyLocal : ServiceTypes.PolicyCluster;
                service.HealthCheckNodePort = 0;
                service.Name = "";
                service.Namespace = "";
                service.Backends = [.. service.Backends.Select(b => new ServiceBackend(b.Ip, b.Port, "") { Id = b.Id })];
                foreach (var backend in service.Backends.DistinctBy(b => b.Key))
                {
                    _backendIds.Restore(backend.Key, backend.Id);
                }

                _servicesById[service.Id] = service;
                _servicesByFrontend[service.Frontend.Key] = service;
            }

            return dropped;
        }
    }

    private static ServiceRecord Copy(ServiceRecord service) => new(service.Id, service.Frontend)
    {
        Type = service.Type,
        TrafficPolicy = service.TrafficPolicy,
        HealthCheckNodePort = service.HealthCheckNodePort,
        Name = service.Name,
        Namespace = service.Namespace,
        Backends = [.. service.Backends.Select(b => b with { })],
        MapSlots = service.MapSlots,
    };

    /// <summary>
    /// <c>createSVCInfoIfNotExist</c>: a known frontend is updated whatever id the request names (the caller then
    /// answers 460); a new one takes the requested id unless another frontend holds it.
    /// </summary>
    private (ServiceRecord? Service, bool Created, string? Error) FindOrCreateService(ServiceRequest request)
    {
        var frontend = request.Frontend;
        if (!_servicesByFrontend.TryGetValue(frontend.Key, out var service))
        {
            var id = request.Id;
            if (id == 0)
            {
                // A body id of 2^32 passes the handler's zero check and wraps to 0: the allocator picks one.
                id = NextFreeServiceId();
            }
            else if (_servicesById.TryGetValue(id, out var holder))
            {
                return (null, false,
                    $"Unable to allocate service ID {id} for {frontend.GoValue(id)}: Service ID {id} is already registered to \"{holder.Frontend}\"");
            }

            service = new ServiceRecord(id, frontend);
            Apply(service, request);
            _servicesById[id] = service;
            _servicesByFrontend[frontend.Key] = service;
            return (service, true, null);
        }

        if (service.Type == ServiceTypes.LocalRedirect && request.Type == ServiceTypes.ClusterIP)
        {
            return (null, false, $"local-redirect service exists for frontend {frontend.GoValue(request.Id)}, skip update for svc {request.Name}");
        }

        if (request.Type == ServiceTypes.LocalRedirect && service.Type is not (ServiceTypes.ClusterIP or ServiceTypes.LocalRedirect))
        {
            return (null, false,
                $"skip local-redirect service for frontend {frontend.GoValue(request.Id)} as it overlaps with svc {service.Name} of type {service.Type}");
        }

        var name = service.Name;
        var ns = service.Namespace;
        Apply(service, request);
        service.Name = request.Name.Length > 0 ? request.Name : name;
        service.Namespace = request.Namespace.Length > 0 ? request.Namespace : ns;
        return (service, false, null);
    }

    private static void Apply(ServiceRecord service, ServiceRequest request)
    {
        service.Type = request.Type;
        service.TrafficPolicy = request.TrafficPolicy;
        service.HealthCheckNodePort = request.HealthCheckNodePort;
        service.Name = request.Name;
        service.Namespace = request.Namespace;
    }

    private uint NextFreeServiceId()
    {
        for (var tries = 0u; tries < MaxServiceId; tries++)
        {
            var id = _nextServiceId;
            _nextServiceId = id + 1 >= MaxServiceId ? FirstServiceId : id + 1;
            if (!_servicesById.ContainsKey(id))
            {
                return id;
            }
        }

        return 0;
    }

    /// <summary><c>updateBackendsCacheLocked</c>: answers the backends no service used before (the map gets only those).</summary>
    private List<ServiceBackend> UpdateBackends(ServiceRecord service, IReadOnlyList<ServiceBackend> requested)
    {
        var kept = service.FiltersBackends
            ? requested.Where(b => b.NodeName.Length == 0 || b.NodeName == NodeName).ToList()
            : [.. requested];
        var before = service.Backends.Select(b => b.Key).ToHashSet();
        var now = new HashSet<(System.Net.IPAddress, ushort)>();
        List<ServiceBackend> added = [];
        List<ServiceBackend> backends = [];
        foreach (var backend in kept)
        {
            var copy = backend with { };
            if (!before.Contains(copy.Key) && now.Add(copy.Key))
            {
                var (id, isNew) = _backendIds.Acquire(copy.Key);
                copy.Id = id;
                if (isNew)
                {
                    added.Add(copy);
                }
            }
            else
            {
                copy.Id = _backendIds.IdOf(copy.Key);
                now.Add(copy.Key);
            }

            backends.Add(copy);
        }

        foreach (var gone in before.Where(k => !now.Contains(k)))
        {
            _backendIds.Release(gone);
        }

        service.Backends = backends;
        return added;
    }

    /// <summary><c>SVC.GetModel</c>: backends sorted by backend id, protocol left out, zero values omitted.</summary>
    private static Service ModelOf(ServiceRecord service)
    {
        var spec = new ServiceSpec
        {
            Id = service.Id == 0 ? null : service.Id,
            FrontendAddress = new FrontendAddress
            {
                Ip = service.Frontend.Ip.ToString(),
                Port = service.Frontend.Port == 0 ? null : service.Frontend.Port,
                Scope = service.Frontend.Scope == ServiceScope.Internal ? "internal" : "external",
            },
            BackendAddresses =
            [
                .. service.Backends.OrderBy(b => b.Id).Select(b => new BackendAddress
                {
                    Ip = b.Ip.ToString(),
                    NodeName = b.NodeName.Length == 0 ? null : b.NodeName,
                    Port = b.Port == 0 ? null : b.Port,
                }),
            ],
            Flags = new ServiceSpecFlags
            {
                HealthCheckNodePort = service.HealthCheckNodePort == 0 ? null : service.HealthCheckNodePort,
                Name = service.Name.Length == 0 ? null : service.Name,
                Namespace = service.Namespace.Length == 0 ? null : service.Namespace,
                TrafficPolicy = service.TrafficPolicy,
                Type = service.Type,
            },
        };
        return new Service { Spec = spec, Status = new ServiceStatus { Realized = spec } };
    }
}
