namespace CiliumAgentSim.State;

/// <summary>
/// Runs asynchronous work one item at a time, in arrival order, without a disposable semaphore: the queue outlives
/// agent restarts, and requests cut by a restart may still be finishing their item.
/// </summary>
internal sealed class SerialQueue
{
    private readonly Lock _gate = new();
    private Task _tail = Task.CompletedTask;

    public Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_gate)
        {
            // Whatever the previous item did (even a fault), the next one runs.
            var run = _tail.ContinueWith(_ => work(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            _tail = run;
            return run;
        }
    }

    public Task RunAsync(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync(async () =>
        {
            await work();
            return true;
        });
    }
}
