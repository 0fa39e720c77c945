using CiliumDocker.Agent;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>The agent's service table as Cilium 1.10 keeps it: ids chosen by the caller, one id per frontend, a
/// frontend being address and port without the protocol, which GET does not answer either.</summary>
internal sealed class AgentServiceModel
{
    private readonly Lock _lock = new();
    private readonly Dictionary<long, ServiceSpec> _services = [];

    public IReadOnlyList<ServiceSpec> Services
    {
        get
        {
            lock (_lock)
            {
                return [.. _services.Values.OrderBy(spec => spec.Id)];
            }
        }
    }

    public IReadOnlyList<AgentService> List()
    {
        lock (_lock)
        {
            return [.. _services.Values.Select(spec => new AgentService { Spec = spec with { FrontendAddress = spec.FrontendAddress with { Protocol = null } } })];
        }
    }

    public bool Upsert(ServiceSpec spec)
    {
        lock (_lock)
        {
            if (spec.Id == 0)
            {
                throw new AgentModelException(500, "invalid service ID 0");
            }

            if (spec.FrontendAddress.Scope is not ("external" or "internal"))
            {
                throw new AgentModelException(460, $"invalid scope \"{spec.FrontendAddress.Scope}\"");
            }

            var key = Key(spec.FrontendAddress);
            if (_services.Values.FirstOrDefault(other => other.Id != spec.Id && Key(other.FrontendAddress) == key) is { } taken)
            {
                throw new AgentModelException(460, $"the service provided is already registered with ID {taken.Id}, please use that ID instead of {spec.Id}");
            }

            var created = !_services.ContainsKey(spec.Id);
            _services[spec.Id] = spec;
            return created;
        }
    }

    public bool Delete(long id)
    {
        lock (_lock)
        {
            return _services.Remove(id);
        }
    }

    /// <summary>What an agent that restarted without its state keeps.</summary>
    public void Forget()
    {
        lock (_lock)
        {
            _services.Clear();
        }
    }

    private static string Key(FrontendAddress frontend) => $"{frontend.Ip}|{frontend.Port}";
}
