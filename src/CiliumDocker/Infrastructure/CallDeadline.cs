namespace CiliumDocker.Infrastructure;

/// <summary>
/// The moment by which the Docker call being served must have its answer. It is set once, where the call enters
/// the plugin, and every agent call made on its behalf takes only what is left of it, so a Docker call that needs
/// several agent calls (and their retries) still answers before Docker's own 30 s timeout replaces the plugin's
/// message. Background work (janitors, the label watcher) runs without one: each agent call then gets the client's
/// own budget.
/// </summary>
internal static class CallDeadline
{
    private static readonly AsyncLocal<DateTimeOffset?> Current = new();

    /// <summary>Starts a deadline of <paramref name="length"/> for the code that runs until the scope is disposed.</summary>
    public static Scope Start(TimeProvider timeProvider, TimeSpan length)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var previous = Current.Value;
        Current.Value = timeProvider.GetUtcNow() + length;
        return new Scope(previous);
    }

    /// <summary>Time left until the current deadline, or null outside a Docker call.</summary>
    public static TimeSpan? Remaining(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return Current.Value is { } deadline ? deadline - timeProvider.GetUtcNow() : null;
    }

    /// <summary>The budget of one agent call: its own, shortened to what the current deadline leaves.</summary>
    public static TimeSpan Bound(TimeSpan budget, TimeProvider timeProvider) =>
        Remaining(timeProvider) is { } remaining && remaining < budget ? remaining : budget;

    internal readonly struct Scope(DateTimeOffset? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
