namespace CiliumDocker.TestKit;

/// <summary>
/// Waits for a condition the code under test reaches by itself. The bound is a hang guard, not a performance
/// assertion: the async forms end with the caller's token (a test's <c>CancelAfter</c>), <see cref="Until"/> with
/// its own timeout.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan ConditionInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan BlockingInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    /// <param name="condition">cheap and side-effect free: it is polled every 10 ms.</param>
    /// <param name="what">what is waited for, for the message when the wait is given up.</param>
    /// <param name="cancellationToken">the hang guard.</param>
    /// <exception cref="TimeoutException">the token was cancelled before the condition held.</exception>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        while (!condition())
        {
            try
            {
                await Task.Delay(ConditionInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex)
            {
                throw new TimeoutException("Gave up waiting until " + what, ex);
            }
        }
    }

    /// <summary>Calls <paramref name="probe"/> every 50 ms until <paramref name="accept"/> takes what it returned.</summary>
    /// <returns>the accepted value.</returns>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(accept);
        while (true)
        {
            var value = await probe().ConfigureAwait(false);
            if (accept(value))
            {
                return value;
            }

            await Task.Delay(ProbeInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <paramref name="condition"/>, blocking, until it holds or <paramref name="timeout"/> has passed.</summary>
    /// <param name="interval">between two polls; 200 ms by default.</param>
    /// <returns>whether the condition held in time.</returns>
    public static bool Until(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition())
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            Thread.Sleep(interval ?? BlockingInterval);
        }
    }
}
