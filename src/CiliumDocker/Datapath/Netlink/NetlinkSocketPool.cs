using System.Collections.Concurrent;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>
/// Up to <c>maxSockets</c> netlink sockets, opened on demand and reused. A caller holds a socket for a whole
/// operation and waits (asynchronously) when all are busy. Several sockets matter for deletion: the kernel waits
/// for an RCU grace period after unregistering a link, outside the rtnl lock, and requests on other sockets can
/// proceed meanwhile; on one socket they would queue behind that wait.
/// </summary>
internal sealed class NetlinkSocketPool : IDisposable
{
    private readonly Func<NetlinkSocket> _open;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<NetlinkSocket> _idle = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    public NetlinkSocketPool(Func<NetlinkSocket> open, int maxSockets)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSockets, 1);
        _open = open;
        _slots = new SemaphoreSlim(maxSockets, maxSockets);
    }

    /// <summary>A socket for the caller alone until the lease is disposed; opening one may throw <see cref="NetlinkException"/>.</summary>
    public async ValueTask<Lease> RentAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
            }

            return new Lease(this, _idle.TryTake(out var socket) ? socket : _open());
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Closes the idle sockets now and the leased ones when they come back.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            while (_idle.TryTake(out var socket))
            {
                socket.Dispose();
            }
        }
    }

    private void Return(NetlinkSocket socket)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                socket.Dispose();
            }
            else
            {
                _idle.Add(socket);
            }
        }

        // The semaphore is never disposed: leases still out release it after the pool is gone, and a SemaphoreSlim
        // holds nothing to free unless its wait handle was asked for.
        _slots.Release();
    }

    internal readonly struct Lease(NetlinkSocketPool pool, NetlinkSocket socket) : IDisposable
    {
        public NetlinkSocket Socket { get; } = socket;

        public void Dispose() => pool.Return(Socket);
    }
}
