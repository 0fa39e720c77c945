using CiliumDocker.Agent;

namespace CiliumDocker.Cleanup;

/// <summary>How an attempt at work the plugin owes the agent (an address release, an endpoint deletion) ended.</summary>
internal enum OwedWorkOutcome
{
    Done,

    /// <summary>The agent was away, busy or failed inside: the work stays owed and is tried again later.</summary>
    StillOwed,

    /// <summary>The agent refused it for good: owing it longer would only repeat the refusal.</summary>
    Refused,
}

/// <summary>
/// The one rule for owed work, used by the Docker call that first tries it and by the janitor that pays it later:
/// what may pass is kept, what the agent refuses is dropped.
/// </summary>
internal static class OwedWork
{
    public static async Task<(OwedWorkOutcome Outcome, CiliumAgentException? Failure)> TryAsync(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            await work().ConfigureAwait(false);
            return (OwedWorkOutcome.Done, null);
        }
        catch (CiliumAgentException ex)
        {
            return (ex.IsWorthRetryingLater ? OwedWorkOutcome.StillOwed : OwedWorkOutcome.Refused, ex);
        }
    }
}
