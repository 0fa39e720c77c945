using CiliumAgentSim.Model;

namespace CiliumAgentSim.State;

/// <summary>A <c>PUT /v1/service/{id}</c> after the agent's handler has read it (<c>loadbalancer.SVC</c>).</summary>
internal sealed record ServiceRequest(
    uint Id,
    ServiceFrontend Frontend,
    IReadOnlyList<ServiceBackend> Backends,
    string Type,
    string TrafficPolicy,
    ushort HealthCheckNodePort,
    string Name,
    string Namespace)
{
    public const int InvalidFrontend = 460;
    public const int InvalidBackend = 461;

    /// <summary>
    /// The handler's checks, in its order, on a body go-swagger has validated. A failure with status 500 and no
    /// error text is the handler's nil dereference (no <c>flags</c>, or a <c>null</c> backend): the agent's panic answer.
    /// </summary>
    public static AgentResult<ServiceRequest> FromSpec(ServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var requestedId = spec.Id ?? 0;
        if (requestedId == 0)
        {
            return AgentResult<ServiceRequest>.Fail(500, "invalid service ID 0");
        }

        if (ParseFrontend(spec.FrontendAddress!) is { } badFrontend)
        {
            return AgentResult<ServiceRequest>.Fail(InvalidFrontend, badFrontend);
        }

        List<ServiceBackend> backends = [];
        foreach (var backend in spec.BackendAddresses ?? [])
        {
            if (backend is null)
            {
                return AgentResult<ServiceRequest>.Fail(500);
            }

            if (!ServiceIp.TryParse(backend.Ip, out var ip))
            {
                return AgentResult<ServiceRequest>.Fail(InvalidBackend, $"invalid IP address \"{backend.Ip}\"");
            }

            backends.Add(new ServiceBackend(ip, (ushort)(backend.Port ?? 0), backend.NodeName ?? ""));
        }

        if (spec.Flags is not { } flags)
        {
            return AgentResult<ServiceRequest>.Fail(500);
        }

        // Checked by ParseFrontend above.
        _ = ServiceIp.TryParse(spec.FrontendAddress!.Ip, out var frontendIp);
        var frontend = new ServiceFrontend(
            frontendIp,
            (ushort)(spec.FrontendAddress.Port ?? 0),
            string.IsNullOrEmpty(spec.FrontendAddress.Protocol) ? ServiceFrontend.ProtocolNone : spec.FrontendAddress.Protocol.ToUpperInvariant(),
            spec.FrontendAddress.Scope == "internal" ? ServiceScope.Internal : ServiceScope.External);

        // The agent keeps the id as a uint32: -3 becomes 4294967293.
        return AgentResult<ServiceRequest>.Ok(200, new ServiceRequest(
            unchecked((uint)requestedId),
            frontend,
            backends,
            ServiceTypes.All.Contains(flags.Type) ? flags.Type! : ServiceTypes.ClusterIP,
            flags.TrafficPolicy == ServiceTypes.PolicyLocal ? ServiceTypes.PolicyLocal : ServiceTypes.PolicyCluster,
            (ushort)(flags.HealthCheckNodePort ?? 0),
            flags.Name ?? "",
            flags.Namespace ?? ""));
    }

    /// <summary><c>loadbalancer.NewL3n4AddrFromModel</c>: IP present, protocol known, IP valid, scope given.</summary>
    private static string? ParseFrontend(FrontendAddress frontend)
    {
        if (string.IsNullOrEmpty(frontend.Ip))
        {
            return "missing IP address";
        }

        if (!string.IsNullOrEmpty(frontend.Protocol) && frontend.Protocol.ToUpperInvariant() is not ("TCP" or "UDP"))
        {
            return "unknown L4 protocol";
        }

        if (!ServiceIp.TryParse(frontend.Ip, out _))
        {
            return $"invalid IP address \"{frontend.Ip}\"";
        }

        return frontend.Scope is "external" or "internal" ? null : $"invalid scope \"{frontend.Scope}\"";
    }
}
