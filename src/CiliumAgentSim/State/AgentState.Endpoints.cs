using System.Net;
using CiliumAgentSim.Model;

namespace CiliumAgentSim.State;

internal sealed partial class AgentState
{
    public const string StateReady = "ready";

    private static readonly string[] ValidStates =
    [
        "waiting-for-identity", "not-ready", "waiting-to-regenerate", "regenerating", "restoring",
        StateReady, "disconnecting", "disconnected", "invalid",
    ];

    private readonly SortedDictionary<long, EndpointRecord> _endpoints = [];
    private readonly IdentityTable _identities = new();
    private long _nextEndpointId = 1;

    /// <summary>
    /// First half of <c>PUT /v1/endpoint/{id}</c>: validate and insert. The endpoint is visible from here on, in the
    /// state the request gave, until <see cref="CompleteCreate"/> marks it ready or <see cref="Remove"/> drops it.
    /// </summary>
    public AgentResult<EndpointRecord> BeginCreate(EndpointChangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ValidateChange(request) is { } invalid)
        {
            return AgentResult<EndpointRecord>.Fail(400, invalid);
        }

        if (!TryParseAddress(request.Addressing?.IPv4, IpFamily.IPv4, out var v4, out var badAddress)
            || !TryParseAddress(request.Addressing?.IPv6, IpFamily.IPv6, out var v6, out badAddress))
        {
            return AgentResult<EndpointRecord>.Fail(400, $"unable to parse endpoint parameters: {badAddress}");
        }

        if (request.Labels?.FirstOrDefault(l => l.StartsWith("reserved:", StringComparison.Ordinal)) is { } reserved)
        {
            return AgentResult<EndpointRecord>.Fail(400, $"not allowed to add reserved labels: {reserved}");
        }

        lock (_gate)
        {
            if (request.Id != 0)
            {
                return _endpoints.ContainsKey(request.Id)
                    ? AgentResult<EndpointRecord>.Fail(400, $"endpoint ID {request.Id} already exists")
                    : AgentResult<EndpointRecord>.Fail(500, $"unable to insert endpoint into manager: Endpoint ID is already set to {request.Id}");
            }

            // No duplicate check on docker-endpoint-id: the real agent has none (a 409 never comes).
            foreach (var address in new[] { v4, v6 })
            {
                if (address is not null && FindHolder(address) is not null)
                {
                    var prefix = IpFamilyNames.Of(address) == IpFamily.IPv4 ? "ipv4" : "ipv6";
                    return AgentResult<EndpointRecord>.Fail(400, $"IP {prefix}:{address} is already in use");
                }
            }

            var id = NextEndpointId();
            if (id is null)
            {
                return AgentResult<EndpointRecord>.Fail(500, "unable to insert endpoint into manager: no free endpoint ID");
            }

            var record = new EndpointRecord
            {
                Id = id.Value,
                CreatedAt = _time.GetUtcNow(),
                State = request.State!,
                IPv4 = v4,
                IPv6 = v6,
                IPv4PoolName = v4 is null ? null : PoolOrDefault(request.Addressing?.IPv4PoolName),
                IPv6PoolName = v6 is null ? null : PoolOrDefault(request.Addressing?.IPv6PoolName),
            };
            Apply(record, request);
            _endpoints.Add(record.Id, record);
            return AgentResult<EndpointRecord>.Ok(201, record);
        }
    }

    /// <summary>
    /// Second half of a create, after the datapath is built: stop the expiration timers the request names (bare IP
    /// plus UUID only, as the agent parses them with ParseIP) and mark the endpoint ready. A missing or foreign timer
    /// fails the creation and removes the endpoint, like the agent's errorDuringCreation.
    /// </summary>
    public AgentResult<AgentEndpoint> CompleteCreate(long id, AddressPair? addressing)
    {
        lock (_gate)
        {
            if (!_endpoints.TryGetValue(id, out var record))
            {
                return AgentResult<AgentEndpoint>.Fail(500, $"endpoint {id} was deleted while it was being created");
            }

            var claims = new List<Allocation>(2);
            foreach (var (text, uuid) in new[] { (addressing?.IPv4, addressing?.IPv4ExpirationUuid), (addressing?.IPv6, addressing?.IPv6ExpirationUuid) })
            {
                if (string.IsNullOrEmpty(uuid) || text is null || !IpText.TryParse(text, out var bare) || text.Contains('/', StringComparison.Ordinal))
                {
                    continue;
                }

                if (!_allocations.TryGetValue(bare, out var allocation) || allocation.ExpirationUuid is null)
                {
                    _endpoints.Remove(id);
                    return AgentResult<AgentEndpoint>.Fail(500, $"unable to stop expiration timer of IP {bare}: no expiration timer registered (expired or released)");
                }

                if (allocation.ExpirationUuid != uuid)
                {
                    _endpoints.Remove(id);
                    return AgentResult<AgentEndpoint>.Fail(500, $"unable to stop expiration timer of IP {bare}: UUID mismatch, not stopping expiration timer");
                }

                claims.Add(allocation);
            }

            foreach (var allocation in claims)
            {
                allocation.StopExpiration();
            }

            record.State = StateReady;
            return AgentResult<AgentEndpoint>.Ok(201, EndpointModel.From(record, _identities.Resolve(record.Labels)));
        }
    }

    /// <summary>Drops an endpoint whose creation failed; its addresses stay allocated, as in the agent.</summary>
    public EndpointRecord? Remove(long id)
    {
        lock (_gate)
        {
            return _endpoints.Remove(id, out var record) ? record : null;
        }
    }

    public AgentResult<AgentEndpoint> Get(EndpointId id)
    {
        lock (_gate)
        {
            return Find(id) is { } record
                ? AgentResult<AgentEndpoint>.Ok(200, EndpointModel.From(record, _identities.Resolve(record.Labels)))
                : AgentResult<AgentEndpoint>.Fail(404);
        }
    }

    public IReadOnlyList<AgentEndpoint> List()
    {
        lock (_gate)
        {
            return [.. _endpoints.Values.Select(r => EndpointModel.From(r, _identities.Resolve(r.Labels)))];
        }
    }

    /// <summary><c>PATCH</c>: updates the fields the request sets; absent labels leave the labels as they are.</summary>
    public AgentResult<bool> Patch(EndpointId id, EndpointChangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ValidateChange(request) is { } invalid)
        {
            return AgentResult<bool>.Fail(400, invalid);
        }

        if (!TryParseAddress(request.Addressing?.IPv4, IpFamily.IPv4, out _, out var badAddress)
            || !TryParseAddress(request.Addressing?.IPv6, IpFamily.IPv6, out _, out badAddress))
        {
            return AgentResult<bool>.Fail(400, $"unable to parse endpoint parameters: {badAddress}");
        }

        lock (_gate)
        {
            if (Find(id) is not { } record)
            {
                return AgentResult<bool>.Fail(404);
            }

            Apply(record, request);

            // The agent regenerates a patched endpoint; only the transitions it allows are taken.
            record.State = StateReady;
            return AgentResult<bool>.Ok(200, true);
        }
    }

    /// <summary>
    /// <c>DELETE /v1/endpoint/{id}</c>. The endpoint's addresses are released with it, as the real agent does
    /// (deleteEndpointQuiet releases them unless the deletion undoes a failed creation, see <see cref="Remove"/>).
    /// </summary>
    public AgentResult<EndpointRecord> Delete(EndpointId id)
    {
        lock (_gate)
        {
            if (Find(id) is not { } record)
            {
                // Unlike GET, the agent's DELETE says why in its Error model.
                return AgentResult<EndpointRecord>.Fail(404, "endpoint not found");
            }

            _endpoints.Remove(record.Id);
            foreach (var address in new[] { record.IPv4, record.IPv6 })
            {
                if (address is not null && _allocations.TryGetValue(address, out var allocation))
                {
                    ReleaseLocked(allocation);
                }
            }

            return AgentResult<EndpointRecord>.Ok(200, record);
        }
    }

    /// <summary>Endpoints with an interface, for undoing their datapath when the state is thrown away.</summary>
    public IReadOnlyList<EndpointRecord> EndpointsWithInterface()
    {
        lock (_gate)
        {
            return [.. _endpoints.Values.Where(e => e.InterfaceName is not null)];
        }
    }

    /// <summary>go-swagger's check of <c>state</c>, made before the agent sees the body: 422 with 602 or 606.</summary>
    public static (int Code, string Message)? ValidateState(EndpointChangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.State is null)
        {
            return (602, "state in body is required");
        }

        return ValidStates.Contains(request.State, StringComparer.Ordinal)
            ? null
            : (606, $"state in body should be one of [{string.Join(' ', ValidStates)}]");
    }

    private static string? ValidateChange(EndpointChangeRequest request) => ValidateState(request)?.Message;

    private static void Apply(EndpointRecord record, EndpointChangeRequest request)
    {
        record.ContainerId = request.ContainerId ?? record.ContainerId;
        record.ContainerName = request.ContainerName ?? record.ContainerName;
        record.ContainerInterfaceName = request.ContainerInterfaceName ?? record.ContainerInterfaceName;
        record.DockerEndpointId ??= request.DockerEndpointId;
        record.DockerNetworkId ??= request.DockerNetworkId;
        record.K8sPodName = request.K8sPodName ?? record.K8sPodName;
        record.K8sNamespace = request.K8sNamespace ?? record.K8sNamespace;
        record.InterfaceName = string.IsNullOrEmpty(request.InterfaceName) ? record.InterfaceName : request.InterfaceName;
        record.InterfaceIndex = request.InterfaceIndex != 0 ? request.InterfaceIndex : record.InterfaceIndex;
        record.Mac = request.Mac ?? record.Mac;
        record.HostMac = request.HostMac ?? record.HostMac;
        if (request.Labels is not null)
        {
            record.Labels = [.. request.Labels];
        }
    }

    /// <summary>The agent accepts a bare address or a prefix (<c>10.11.0.5/32</c>) and keeps the address.</summary>
    private static bool TryParseAddress(string? text, IpFamily family, out IPAddress? address, out string error)
    {
        address = null;
        error = "";
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var bare = slash < 0 ? text : text[..slash];
        if (!IpText.TryParse(bare, out var parsed) || IpFamilyNames.Of(parsed) != family
            || (slash >= 0 && !Cidr.TryParse(text, out _)))
        {
            error = $"invalid {family.Name()} address \"{text}\"";
            return false;
        }

        address = parsed;
        return true;
    }

    private static string PoolOrDefault(string? pool) => string.IsNullOrEmpty(pool) ? DefaultPool : pool;

    private EndpointRecord? Find(EndpointId id) =>
        id.Kind == EndpointIdKind.CiliumLocal
            ? _endpoints.GetValueOrDefault(id.LocalId)
            : _endpoints.Values.FirstOrDefault(e => e.Matches(id));

    private EndpointRecord? FindHolder(IPAddress address) => _endpoints.Values.FirstOrDefault(e => e.Holds(address));

    private long? NextEndpointId()
    {
        for (var tried = 0; tried < EndpointId.MaxLocalId; tried++)
        {
            var candidate = _nextEndpointId;
            _nextEndpointId = candidate == EndpointId.MaxLocalId ? 1 : candidate + 1;
            if (!_endpoints.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
