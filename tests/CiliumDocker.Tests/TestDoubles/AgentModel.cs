using System.Net;
using CiliumDocker.Agent;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>
/// The state of a Cilium agent as far as this plugin can observe it, as the real agent (1.10, daemon/cmd/ipam.go,
/// endpoint.go, pkg/ipam/allocator.go) behaves: an IPAM allocation table with expiration timers, and endpoints that
/// hold addresses. Rules the real agent enforces are enforced here too, so a plugin that breaks them fails its tests;
/// where the real agent does not protect the plugin (a timer it cannot stop frees the address under a running
/// endpoint), neither does this model.
/// </summary>
internal sealed class AgentModel(TimeProvider timeProvider)
{
    public static readonly TimeSpan Expiration = TimeSpan.FromMinutes(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Allocation> _allocations = [];
    private readonly Dictionary<long, ModelEndpoint> _endpoints = [];
    private long _nextEndpointId = 1;

    public DaemonConfigurationStatus Config { get; set; } = AgentConfigs.IPv4Only();

    public AgentServiceModel Services { get; } = new();

    public IReadOnlyDictionary<IPAddress, Allocation> Allocations
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<IPAddress, Allocation>(_allocations);
            }
        }
    }

    public IReadOnlyList<ModelEndpoint> Endpoints
    {
        get
        {
            lock (_lock)
            {
                return [.. _endpoints.Values];
            }
        }
    }

    /// <summary>Allocated addresses no endpoint holds. With <paramref name="includeExpiring"/> false, addresses the
    /// agent would free by itself are left out: what remains is a leak.</summary>
    public IReadOnlyList<IPAddress> Unheld(bool includeExpiring)
    {
        lock (_lock)
        {
            var held = _endpoints.Values.SelectMany(endpoint => endpoint.Addresses).ToHashSet();
            return [.. _allocations.Where(pair => !held.Contains(pair.Key) && (includeExpiring || pair.Value.ExpiresAt is null)).Select(pair => pair.Key)];
        }
    }

    public IpamResponse AllocateNext(IpFamily family, string owner, bool expiration)
    {
        lock (_lock)
        {
            var (router, range) = Family(family);
            var first = ToNumber(range.BaseAddress);
            var size = UInt128.One << ((family == IpFamily.IPv4 ? 32 : 128) - range.PrefixLength);
            for (UInt128 offset = 1; offset < size - 1; offset++)
            {
                var candidate = FromNumber(first + offset, family);
                if (candidate.Equals(router) || _allocations.ContainsKey(candidate))
                {
                    continue;
                }

                var uuid = expiration ? Guid.NewGuid().ToString() : null;
                _allocations[candidate] = new Allocation(owner, uuid, expiration ? timeProvider.GetUtcNow() + Expiration : null);
                // The UUID travels only in the per-family object, never in "address".
                var perFamily = new IpamAddressResponse { Ip = candidate.ToString(), ExpirationUuid = uuid };
                return family == IpFamily.IPv4
                    ? new IpamResponse { Address = new AddressPair { IPv4 = candidate.ToString() }, IPv4 = perFamily, HostAddressing = Config.Addressing }
                    : new IpamResponse { Address = new AddressPair { IPv6 = candidate.ToString() }, IPv6 = perFamily, HostAddressing = Config.Addressing };
            }

            throw new AgentModelException(502, $"no more {family} addresses available in {range}");
        }
    }

    /// <summary>Every refusal is a 500 with the allocator's message, as the agent answers it.</summary>
    public void Allocate(string ipText, string owner)
    {
        lock (_lock)
        {
            if (!IPAddress.TryParse(ipText, out var ip))
            {
                throw new AgentModelException(500, $"Invalid IP address: {ipText}");
            }

            var (router, range) = Family(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IpFamily.IPv6 : IpFamily.IPv4);
            if (!range.Contains(ip))
            {
                throw new AgentModelException(500, $"provided IP is not in the valid range. The range of valid IPs is {range}");
            }

            if (_allocations.ContainsKey(ip) || ip.Equals(router))
            {
                throw new AgentModelException(500, "provided IP is already allocated");
            }

            _allocations[ip] = new Allocation(owner, null, null);
        }
    }

    /// <summary>True when released, false when the agent did not hold the address (it answers 200 all the same).</summary>
    public bool Release(string ipText)
    {
        lock (_lock)
        {
            if (!IPAddress.TryParse(ipText, out var ip))
            {
                throw new AgentModelException(500, $"Invalid IP address or owner name: {ipText}");
            }

            if (_endpoints.Values.FirstOrDefault(endpoint => endpoint.Addresses.Contains(ip)) is { } holder)
            {
                throw new AgentModelException(500, $"IP is in use by endpoint {holder.Id}");
            }

            return _allocations.Remove(ip);
        }
    }

    public CiliumEndpoint CreateEndpoint(EndpointChangeRequest request)
    {
        lock (_lock)
        {
            if (string.IsNullOrEmpty(request.State))
            {
                throw new AgentModelException(400, "state is required");
            }

            // No duplicate check on docker-endpoint-id: only the addresses must be free of other endpoints.
            var addresses = new List<(IPAddress Ip, string? Uuid, bool Bare)>();
            foreach (var (text, uuid) in new[] { (request.Addressing?.IPv4, request.Addressing?.IPv4ExpirationUuid), (request.Addressing?.IPv6, request.Addressing?.IPv6ExpirationUuid) })
            {
                if (string.IsNullOrEmpty(text))
                {
                    continue;
                }

                var slash = text.IndexOf('/', StringComparison.Ordinal);
                if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var ip))
                {
                    throw new AgentModelException(400, $"invalid address {text}");
                }

                if (_endpoints.Values.Any(endpoint => endpoint.Addresses.Contains(ip)))
                {
                    throw new AgentModelException(400, $"IP {ip} is already in use");
                }

                addresses.Add((ip, uuid, slash < 0));
            }

            // The agent stops a timer only for a bare IP (ParseIP) with a UUID; a prefix silently keeps it running.
            // A failure here removes the endpoint again and keeps the addresses.
            foreach (var (ip, uuid, bare) in addresses.Where(address => !string.IsNullOrEmpty(address.Uuid) && address.Bare))
            {
                if (!_allocations.TryGetValue(ip, out var allocation) || allocation.ExpiresAt is null)
                {
                    throw new AgentModelException(500, "no expiration timer registered");
                }

                if (allocation.Uuid != uuid)
                {
                    throw new AgentModelException(500, "UUID mismatch, not stopping expiration timer");
                }
            }

            foreach (var (ip, _, _) in addresses.Where(address => !string.IsNullOrEmpty(address.Uuid) && address.Bare))
            {
                _allocations[ip] = _allocations[ip] with { ExpiresAt = null };
            }

            var id = _nextEndpointId++;
            var endpoint = new ModelEndpoint(id, request.DockerEndpointId, request.DockerNetworkId, [.. addresses.Select(address => address.Ip)], request);
            _endpoints[id] = endpoint;
            return endpoint.ToApi();
        }
    }

    public CiliumEndpoint? GetEndpoint(string id)
    {
        lock (_lock)
        {
            return Find(id)?.ToApi();
        }
    }

    /// <summary>Deleting an endpoint frees its addresses, as the agent does. False when unknown (404).</summary>
    public bool DeleteEndpoint(string id)
    {
        lock (_lock)
        {
            if (Find(id) is not { } endpoint)
            {
                return false;
            }

            _endpoints.Remove(endpoint.Id);
            foreach (var address in endpoint.Addresses)
            {
                _allocations.Remove(address);
            }

            return true;
        }
    }

    public bool PatchEndpoint(string id)
    {
        lock (_lock)
        {
            return Find(id) is not null;
        }
    }

    /// <summary>The agent's expiration timers: addresses past their time are freed, whether an endpoint uses them or
    /// not (the agent's timer does not look).</summary>
    public void ExpireDue()
    {
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            foreach (var ip in _allocations.Where(pair => pair.Value.ExpiresAt <= now).Select(pair => pair.Key).ToList())
            {
                _allocations.Remove(ip);
            }
        }
    }

    /// <summary>An agent restart: endpoints are restored from disk unless <paramref name="loseEndpoints"/>; the IPAM
    /// table is rebuilt from the endpoints, so everything else is gone.</summary>
    public void Restart(bool loseEndpoints)
    {
        lock (_lock)
        {
            if (loseEndpoints)
            {
                _endpoints.Clear();
            }

            // Restored endpoints allocate their addresses again, without timers; nothing else survives.
            var held = _endpoints.Values.SelectMany(endpoint => endpoint.Addresses).ToHashSet();
            foreach (var ip in _allocations.Keys.ToList())
            {
                if (held.Contains(ip))
                {
                    _allocations[ip] = _allocations[ip] with { ExpiresAt = null, Uuid = null };
                }
                else
                {
                    _allocations.Remove(ip);
                }
            }

            foreach (var ip in held.Where(ip => !_allocations.ContainsKey(ip)))
            {
                _allocations[ip] = new Allocation("restored", null, null);
            }
        }
    }

    private ModelEndpoint? Find(string id)
    {
        const string dockerPrefix = "docker-endpoint:";
        const string localPrefix = "cilium-local:";
        if (id.StartsWith(dockerPrefix, StringComparison.Ordinal))
        {
            var dockerId = id[dockerPrefix.Length..];
            return _endpoints.Values.FirstOrDefault(endpoint => endpoint.DockerEndpointId == dockerId);
        }

        var number = id.StartsWith(localPrefix, StringComparison.Ordinal) ? id[localPrefix.Length..] : id;
        if (!long.TryParse(number, System.Globalization.CultureInfo.InvariantCulture, out var numeric))
        {
            throw new AgentModelException(400, $"invalid endpoint id {id}");
        }

        return _endpoints.GetValueOrDefault(numeric);
    }

    private (IPAddress Router, IPNetwork Range) Family(IpFamily family)
    {
        var element = family == IpFamily.IPv4 ? Config.Addressing?.IPv4 : Config.Addressing?.IPv6;
        if (element is not { Enabled: true } || !IPAddress.TryParse(element.Ip, out var router) || !IPNetwork.TryParse(element.AllocRange, out var range))
        {
            throw new AgentModelException(501, $"{family} allocation is disabled");
        }

        return (router, range);
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        UInt128 value = 0;
        foreach (var b in address.GetAddressBytes())
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static IPAddress FromNumber(UInt128 value, IpFamily family)
    {
        var bytes = new byte[family == IpFamily.IPv4 ? 4 : 16];
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }
}

internal sealed record Allocation(string Owner, string? Uuid, DateTimeOffset? ExpiresAt);

internal sealed record ModelEndpoint(long Id, string? DockerEndpointId, string? DockerNetworkId, IReadOnlyList<IPAddress> Addresses, EndpointChangeRequest Request)
{
    public CiliumEndpoint ToApi() => new()
    {
        Id = Id,
        Status = new CiliumEndpointStatus
        {
            State = "ready",
            ExternalIdentifiers = new EndpointIdentifiers { DockerEndpointId = DockerEndpointId, DockerNetworkId = DockerNetworkId },
            Networking = new EndpointNetworking
            {
                Addressing = [.. Addresses.Select(address => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                    ? new AddressPair { IPv6 = address.ToString() }
                    : new AddressPair { IPv4 = address.ToString() })],
                InterfaceName = Request.InterfaceName,
            },
        },
    };
}

internal sealed class AgentModelException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
