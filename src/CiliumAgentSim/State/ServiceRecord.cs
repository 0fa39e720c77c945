namespace CiliumAgentSim.State;

/// <summary>The service types of the API's <c>flags.type</c> enum.</summary>
internal static class ServiceTypes
{
    public const string ClusterIP = "ClusterIP";
    public const string NodePort = "NodePort";
    public const string ExternalIPs = "ExternalIPs";
    public const string HostPort = "HostPort";
    public const string LoadBalancer = "LoadBalancer";
    public const string LocalRedirect = "LocalRedirect";

    public const string PolicyCluster = "Cluster";
    public const string PolicyLocal = "Local";

    public static readonly string[] All = [ClusterIP, NodePort, ExternalIPs, HostPort, LoadBalancer, LocalRedirect];

    public static readonly string[] Policies = [PolicyCluster, PolicyLocal];

    /// <summary>The types whose frontend the simulator's datapath translates for host traffic.</summary>
    public static bool TranslatesHostTraffic(string type) => type is HostPort or NodePort;
}

/// <summary>One service in the agent's cache (<c>svcInfo</c>).</summary>
internal sealed class ServiceRecord(uint id, ServiceFrontend frontend)
{
    public uint Id { get; set; } = id;

    public ServiceFrontend Frontend { get; set; } = frontend;

    public string Type { get; set; } = ServiceTypes.ClusterIP;

    public string TrafficPolicy { get; set; } = ServiceTypes.PolicyCluster;

    public ushort HealthCheckNodePort { get; set; }

    public string Name { get; set; } = "";

    public string Namespace { get; set; } = "";

    public List<ServiceBackend> Backends { get; set; } = [];

    /// <summary>
    /// Reached the BPF service map at least once. Only such services come back after an agent restart: the agent
    /// restores its services from the pinned maps, not from its cache.
    /// </summary>
    public bool InDatapath => MapSlots is not null;

    /// <summary>Backend slots the BPF map holds for the service (one per distinct backend); null: not in the map.</summary>
    public int? MapSlots { get; set; }

    /// <summary>The agent marks local-only services in the map flags; only that part of the policy survives a restart.</summary>
    public bool OnlyLocalBackends => Type is ServiceTypes.NodePort or ServiceTypes.LoadBalancer or ServiceTypes.ExternalIPs
        && TrafficPolicy == ServiceTypes.PolicyLocal;

    /// <summary>Backends on other nodes are dropped for local-redirect and external local-only services.</summary>
    public bool FiltersBackends => Type == ServiceTypes.LocalRedirect || (OnlyLocalBackends && Frontend.Scope == ServiceScope.External);
}
