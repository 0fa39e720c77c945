using System.Net;
using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Addresses;

/// <summary>
/// Every address this plugin holds at the agent that no endpoint owns yet, every address an endpoint owns until
/// Docker's release settles it, and every release still owed to the agent. Together with the agent's own expiration this is what keeps addresses from leaking when Docker's
/// sequence breaks, the plugin restarts, or the agent is away.
/// </summary>
/// <remarks>
/// Every change is in the state file before it returns (as a record of the addresses it touched, see
/// <see cref="JsonStateFile{T}"/>), so a plugin crash, kill or restart loses nothing: the kernel
/// keeps the page cache of a dead process. Only changes to reservations and owed releases are also flushed to disk
/// (group-committed, see <see cref="JsonStateFile{T}"/>): those are addresses the agent holds without a timer, which
/// only this file would release if the agent outlived a kernel crash of this host. The rest (expiring addresses,
/// claims) is not flushed: after a kernel crash the agent's own expiration frees an unclaimed address, and the
/// endpoints that held claimed ones died with the containers.
/// </remarks>
internal sealed class AddressLedger
{
    private readonly Lock _lock = new();
    private readonly JsonStateFile<AddressLedgerState> _file;
    private readonly TimeProvider _timeProvider;
    private readonly AddressLedgerState _state;
    private readonly Func<(byte[] Document, long Version)> _snapshot;
    private long _version;

    public AddressLedger(JsonStateFile<AddressLedgerState> file, TimeSpan claimTimeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(claimTimeout, TimeSpan.Zero);
        _file = file;
        _snapshot = Snapshot;
        _timeProvider = timeProvider;
        ClaimTimeout = claimTimeout;
        _state = file.Load() ?? new AddressLedgerState();
    }

    /// <summary>How long an address may wait for its endpoint; the agent's own expiration default is 10 minutes.</summary>
    public TimeSpan ClaimTimeout { get; }

    public int ReservationCount
    {
        get
        {
            lock (_lock)
            {
                return _state.Reservations.Count;
            }
        }
    }

    public int ExpiringCount
    {
        get
        {
            lock (_lock)
            {
                return _state.Expiring.Count;
            }
        }
    }

    public int DeferredReleaseCount
    {
        get
        {
            lock (_lock)
            {
                return _state.DeferredReleases.Count;
            }
        }
    }

    /// <summary>Recorded before asking the agent, so an answer lost on the way still gets released. False, with
    /// nothing recorded, when the address is already reserved or allocated for a container not started yet. A
    /// release still owed for the address stays: if the agent refuses the reservation, the address is still held.</summary>
    public bool TryReserve(IPAddress ip)
    {
        var key = Key(ip);
        var reserved = false;
        Mutate(key, state =>
        {
            if (state.Reservations.Exists(entry => entry.Ip == key) || state.Expiring.Exists(entry => entry.Ip == key))
            {
                return null;
            }

            state.Reservations.Add(new ReservedAddress(key, _timeProvider.GetUtcNow() + ClaimTimeout));
            reserved = true;
            return StateDurability.Disk;
        });
        return reserved;
    }

    /// <summary>The agent refused the reservation: this plugin never held the address.</summary>
    public void DropReservation(IPAddress ip)
    {
        var key = Key(ip);
        Mutate(key, state => state.Reservations.RemoveAll(entry => entry.Ip == key) > 0 ? StateDurability.Disk : null);
    }

    /// <summary>The agent handed out <paramref name="ip"/>. With an expiration UUID the agent frees it by itself if no
    /// endpoint claims it; without one the plugin must, so it is kept like a reservation.</summary>
    public void RecordAllocated(IPAddress ip, string? uuid, string? pool)
    {
        var key = Key(ip);
        var now = _timeProvider.GetUtcNow();
        Mutate(key, state =>
        {
            var removed = Remove(state, key);
            if (string.IsNullOrEmpty(uuid))
            {
                state.Reservations.Add(new ReservedAddress(key, now + ClaimTimeout));
                return StateDurability.Disk;
            }

            state.Expiring.Add(new ExpiringAddress(key, uuid, now + ClaimTimeout) { Pool = pool });
            return removed ?? StateDurability.ProcessCrash;
        });
    }

    /// <summary>An address that just came from the agent belongs to a new holder: an old release owed for it must
    /// not free it.</summary>
    public void ForgetDeferredRelease(IPAddress ip)
    {
        var key = Key(ip);
        Mutate(key, state => state.DeferredReleases.RemoveAll(entry => entry.Ip == key) > 0 ? StateDurability.Disk : null);
    }

    public string? ExpirationUuidOf(IPAddress ip)
    {
        var key = Key(ip);
        lock (_lock)
        {
            return _state.Expiring.Find(entry => entry.Ip == key)?.Uuid;
        }
    }

    /// <summary>The agent pool the address came from, for the agent's address routes.</summary>
    public string PoolOf(IPAddress ip)
    {
        var key = Key(ip);
        lock (_lock)
        {
            return _state.Expiring.Find(entry => entry.Ip == key)?.Pool
                ?? _state.DeferredReleases.Find(entry => entry.Ip == key)?.Pool
                ?? AgentPaths.DefaultPool;
        }
    }

    public bool IsReleaseDue(IPAddress ip)
    {
        var key = Key(ip);
        lock (_lock)
        {
            return _state.DeferredReleases.Exists(entry => entry.Ip == key)
                && !_state.Reservations.Exists(entry => entry.Ip == key);
        }
    }

    /// <summary>The agent endpoint of <paramref name="endpointId"/> now holds the address; from here on the agent
    /// releases it with the endpoint.</summary>
    public void Claim(IPAddress ip, string endpointId) => AddClaim(ip, endpointId, endpointGone: null);

    /// <summary>An endpoint that held the address was deleted at the agent before Docker knew it existed (a creation
    /// whose answer was lost): the agent released the address with it.</summary>
    public void ClaimReleasedWithEndpoint(IPAddress ip, string endpointId) => AddClaim(ip, endpointId, _timeProvider.GetUtcNow());

    /// <summary>The plugin deleted the endpoint at the agent, or owes that deletion: either way its addresses go back
    /// to the agent with it.</summary>
    public void EndpointGone(string endpointId)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        var now = _timeProvider.GetUtcNow();
        List<string> addresses = [];
        Mutate(addresses, state =>
        {
            StateDurability? changed = null;
            for (var i = 0; i < state.Claims.Count; i++)
            {
                if (state.Claims[i] is { EndpointGone: null } claim && claim.EndpointId == endpointId)
                {
                    state.Claims[i] = claim with { EndpointGone = now };
                    addresses.Add(claim.Ip);
                    changed = StateDurability.ProcessCrash;
                }
            }

            return changed;
        });
    }

    /// <summary>True, and the claim is settled, when the address went back to the agent with its endpoint: the
    /// release Docker asks for must then not reach the agent.</summary>
    public bool TrySettleReleasedClaim(IPAddress ip)
    {
        var key = Key(ip);
        var settled = false;
        Mutate(key, state =>
        {
            var index = state.Claims.FindIndex(entry => entry.Ip == key && entry.EndpointGone is not null);
            if (index < 0)
            {
                return null;
            }

            state.Claims.RemoveAt(index);
            settled = true;
            return StateDurability.ProcessCrash;
        });
        return settled;
    }

    /// <summary>The address is no longer this plugin's concern (released or refused). Claims stay: they settle
    /// Docker's own release.</summary>
    public void Forget(IPAddress ip)
    {
        var key = Key(ip);
        Mutate(key, state => Remove(state, key));
    }

    public void DeferRelease(IPAddress ip, string pool)
    {
        var key = Key(ip);
        Mutate(key, state =>
        {
            Remove(state, key);
            state.DeferredReleases.Add(new DeferredRelease(key, _timeProvider.GetUtcNow()) { Pool = pool });
            return StateDurability.Disk;
        });
    }

    /// <summary>Addresses to release now: owed releases and reservations nobody claimed in time. Expiring addresses
    /// past their time are dropped: the agent has freed them itself. So are settled-by-nobody claims: Docker
    /// releases right after it deletes an endpoint, so a claim still open long after is one Docker forgot.</summary>
    public IReadOnlyList<OwedRelease> TakeDue()
    {
        var now = _timeProvider.GetUtcNow();
        List<OwedRelease> due = [];
        Mutate(keys: null, state =>
        {
            var dropped = state.Expiring.RemoveAll(entry => entry.Expires <= now) > 0;
            dropped |= state.Claims.RemoveAll(entry => entry.EndpointGone + ClaimTimeout <= now) > 0;

            // An address being reserved right now waits: its reservation decides whether the agent still holds it.
            foreach (var entry in state.DeferredReleases.Where(entry => !state.Reservations.Exists(reserved => reserved.Ip == entry.Ip)))
            {
                due.Add(new OwedRelease(IPAddress.Parse(entry.Ip), entry.Pool ?? AgentPaths.DefaultPool));
            }

            // Overdue reservations become owed releases, so a failed release is retried like any other.
            foreach (var entry in state.Reservations.Where(entry => entry.Deadline <= now))
            {
                due.Add(new OwedRelease(IPAddress.Parse(entry.Ip), AgentPaths.DefaultPool));
                if (!state.DeferredReleases.Exists(owed => owed.Ip == entry.Ip))
                {
                    state.DeferredReleases.Add(new DeferredRelease(entry.Ip, now));
                }
            }

            return state.Reservations.RemoveAll(entry => entry.Deadline <= now) > 0 ? StateDurability.Disk
                : dropped ? StateDurability.ProcessCrash
                : null;
        });
        return due;
    }

    private void AddClaim(IPAddress ip, string endpointId, DateTimeOffset? endpointGone)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        var key = Key(ip);
        Mutate(key, state =>
        {
            var removed = Remove(state, key);
            state.Claims.Add(new ClaimedAddress(key, endpointId) { EndpointGone = endpointGone });
            return removed ?? StateDurability.ProcessCrash;
        });
    }

    private static string Key(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        return ip.ToString();
    }

    /// <summary>What removing every entry of <paramref name="key"/> needs stored: null when there was none.</summary>
    private static StateDurability? Remove(AddressLedgerState state, string key)
    {
        var durable = state.Reservations.RemoveAll(entry => entry.Ip == key) + state.DeferredReleases.RemoveAll(entry => entry.Ip == key) > 0;
        var expiring = state.Expiring.RemoveAll(entry => entry.Ip == key) > 0;
        return durable ? StateDurability.Disk : expiring ? StateDurability.ProcessCrash : null;
    }

    private void Mutate(string key, Func<AddressLedgerState, StateDurability?> change) => Mutate([key], change);

    /// <param name="keys">The addresses the change touches, read once it ran; null: any, and the whole state is
    /// journaled.</param>
    /// <param name="change">Changes the state and says how it must be stored, or null when it changed nothing.</param>
    private void Mutate(IReadOnlyCollection<string>? keys, Func<AddressLedgerState, StateDurability?> change)
    {
        long version;
        StateDurability durability;
        lock (_lock)
        {
            if (change(_state) is not { } needed)
            {
                return;
            }

            durability = needed;
            version = ++_version;
            _file.QueueChange(version, _state, keys);
        }

        // Outside the lock: other changes go on while this one is written, and the next write covers them all.
        _file.Commit(version, durability, _snapshot);
    }

    private (byte[] Document, long Version) Snapshot()
    {
        lock (_lock)
        {
            return (_file.Snapshot(_state), _version);
        }
    }
}
