using System.Net;
using CiliumDocker.Cilium;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>
/// The state of a Cilium agent as far as this plugin can observe it (cilium-docker-behaviour.md §4): an IPAM
/// allocation table with expiration timers, and endpoints that hold addresses. Rules the real agent enforces are
/// enforced here too, so a plugin that breaks them fails its tests.
/// </summary>
internal sealed class AgentModel(TimeProvider timeProvider)
{
    public static readonly TimeSpan Expiration = TimeSpan.FromMinutes(10);

    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Allocation> _allocations = [];
    private readonly Dictionary<long, ModelEndpoint> _endpoints = [];
    private long _nextEndpointId = 1;

    public DaemonConfigurationStatus Config { get; set; } = AgentConfigs.IPv4Only();

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
                return new IpamResponse
                {
                    Address = family == IpFamily.IPv4
                        ? new AddressPair { IPv4 = candidate.ToString(), IPv4ExpirationUuid = uuid, IPv4PoolName = "default" }
                        : new AddressPair { IPv6 = candidate.ToString(), IPv6ExpirationUuid = uuid, IPv6PoolName = "default" },
                    HostAddressing = Config.Addressing,
                };
            }

            throw new AgentModelException(502, $"no more {family} addresses available in {range}");
        }
    }

    public void Allocate(string ipText, string owner)
    {
        lock (_lock)
        {
            if (!IPAddress.TryParse(ipText, out var ip))
            {
                throw new AgentModelException(400, $"Invalid IP address: {ipText}");
            }

            var (router, range) = Family(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IpFamily.IPv6 : IpFamily.IPv4);
            if (!range.Contains(ip) || ip.Equals(router))
            {
                throw new AgentModelException(500, $"IP {ip} is not available for allocation in {range}");
            }

            if (_allocations.ContainsKey(ip))
            {
                throw new AgentModelException(409, $"IP {ip} is already allocated");
            }

            _allocations[ip] = new Allocation(owner, null, null);
        }
    }

    /// <summary>True when released, false when the agent did not know the address (404).</summary>
    public bool Release(string ipText)
    {
        lock (_lock)
        {
            if (!IPAddress.TryParse(ipText, out var ip))
            {
                throw new AgentModelException(400, $"Invalid IP address: {ipText}");
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

            if (request.DockerEndpointId is { } dockerId && _endpoints.Values.Any(endpoint => endpoint.DockerEndpointId == dockerId))
            {
                throw new AgentModelException(409, string.Empty);
            }

            var addresses = new List<IPAddress>();
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

                if (!string.IsNullOrEmpty(uuid))
                {
                    // The agent parses the address with ParseIP before it stops the timer: a prefix fails here.
                    if (slash >= 0 || !_allocations.TryGetValue(ip, out var allocation) || allocation.Uuid != uuid)
                    {
                        throw new AgentModelException(500, $"unable to stop expiration timer of {text} with UUID {uuid}");
                    }

                    _allocations[ip] = allocation with { ExpiresAt = null };
                }

                addresses.Add(ip);
            }

            var id = _nextEndpointId++;
            var endpoint = new ModelEndpoint(id, request.DockerEndpointId, request.DockerNetworkId, addresses, request);
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

    /// <summary>The agent's expiration timers: unclaimed addresses past their time are freed.</summary>
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

            var held = _endpoints.Values.SelectMany(endpoint => endpoint.Addresses).ToHashSet();
            foreach (var ip in _allocations.Keys.Where(ip => !held.Contains(ip)).ToList())
            {
                _allocations.Remove(ip);
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
