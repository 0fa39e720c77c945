using System.Net;

namespace CiliumAgentSim.State;

/// <summary>
/// The agent's backend id allocator with reference counts: one id per backend address and port, shared by every
/// service that uses it, handed out in rising order (a freed id is not reused before the counter wraps). GET lists a
/// service's backends in id order, so the order is visible on the wire.
/// </summary>
internal sealed class BackendIds
{
    private const ushort FirstId = 1;

    private readonly Dictionary<(IPAddress, ushort), (ushort Id, int References)> _backends = [];
    private ushort _next = FirstId;

    /// <summary>Takes one more reference; <c>IsNew</c> when no service used the backend before.</summary>
    public (ushort Id, bool IsNew) Acquire((IPAddress, ushort) key)
    {
        if (_backends.TryGetValue(key, out var known))
        {
            _backends[key] = (known.Id, known.References + 1);
            return (known.Id, false);
        }

        var id = NextFree();
        _backends[key] = (id, 1);
        return (id, true);
    }

    public ushort IdOf((IPAddress, ushort) key) => _backends.TryGetValue(key, out var known) ? known.Id : (ushort)0;

    public void Release((IPAddress, ushort) key)
    {
        if (!_backends.TryGetValue(key, out var known))
        {
            return;
        }

        if (known.References <= 1)
        {
            _backends.Remove(key);
        }
        else
        {
            _backends[key] = (known.Id, known.References - 1);
        }
    }

    /// <summary>After a restart: the id comes from the restored map entry.</summary>
    public void Restore((IPAddress, ushort) key, ushort id)
    {
        _backends[key] = _backends.TryGetValue(key, out var known) ? (known.Id, known.References + 1) : (id, 1);
        if (id >= _next)
        {
            _next = id == ushort.MaxValue ? FirstId : (ushort)(id + 1);
        }
    }

    public void Clear() => _backends.Clear();

    private ushort NextFree()
    {
        var used = _backends.Values.Select(v => v.Id).ToHashSet();
        for (var tries = 0; tries < ushort.MaxValue; tries++)
        {
            var id = _next;
            _next = id == ushort.MaxValue ? FirstId : (ushort)(id + 1);
            if (!used.Contains(id))
            {
                return id;
            }
        }

        return 0;
    }
}
