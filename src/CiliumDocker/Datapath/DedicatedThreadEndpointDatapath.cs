using System.Collections.Concurrent;

namespace CiliumDocker.Datapath;

/// <summary>
/// Runs a datapath whose calls block (netlink: milliseconds for a veth's creation, tens for its deletion, which waits
/// for the kernel's RCU grace period) on threads of its own: never on the thread that serves the plugin's sockets
/// (<c>PluginOptions.InlineIo</c>), where it would hold up every other Docker call meanwhile, and not on the thread
/// pool either, which grows by the work items it sees and, seeing only these few, stayed near its two threads while
/// eight deletions queued behind them (bench/README.md). A thread starts when a call would otherwise wait, up to
/// <c>maxThreads</c>, and then stays; callers resume on the thread pool.
/// </summary>
internal sealed class DedicatedThreadEndpointDatapath : IEndpointDatapath, IDisposable
{
    private readonly IEndpointDatapath _blocking;
    private readonly int _maxThreads;
    private readonly BlockingCollection<Action> _calls = [];
    private readonly Lock _gate = new();
    private int _threads;
    private int _unfinished;

    public DedicatedThreadEndpointDatapath(IEndpointDatapath blocking, int maxThreads)
    {
        ArgumentNullException.ThrowIfNull(blocking);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxThreads, 1);
        _blocking = blocking;
        _maxThreads = maxThreads;
    }

    public Task<VethPair> CreateAsync(VethRequest request, CancellationToken cancellationToken)
        => Run(() => _blocking.CreateAsync(request, cancellationToken).GetAwaiter().GetResult());

    public Task DeleteAsync(string endpointId, CancellationToken cancellationToken)
        => Run(() =>
        {
            _blocking.DeleteAsync(endpointId, cancellationToken).GetAwaiter().GetResult();
            return true;
        });

    /// <summary>Threads finish the calls already queued, then end.</summary>
    public void Dispose() => _calls.CompleteAdding();

    private Task<T> Run<T>(Func<T> call)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_calls.IsAddingCompleted, this);
            _calls.Add(() =>
            {
                try
                {
                    done.SetResult(call());
                }
                catch (Exception exception)
                {
                    done.SetException(exception);
                }
            });

            if (++_unfinished > _threads && _threads < _maxThreads)
            {
                _threads++;
                new Thread(Serve) { IsBackground = true, Name = "datapath" }.Start();
            }
        }

        return done.Task;
    }

    private void Serve()
    {
        foreach (var call in _calls.GetConsumingEnumerable())
        {
            call();
            lock (_gate)
            {
                _unfinished--;
            }
        }
    }
}
