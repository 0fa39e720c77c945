namespace CiliumDocker.Observability;

/// <summary>
/// The latest evidence of whether the agent answers: every agent call the plugin makes reports here, and a
/// configuration fetch counts as an answer too. Health reports whichever is most recent.
/// </summary>
internal sealed class AgentReachability(TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _lastAnswer;
    private DateTimeOffset? _lastUnreachable;
    private string? _lastError;

    public void RecordAnswer()
    {
        lock (_lock)
        {
            _lastAnswer = timeProvider.GetUtcNow();
        }
    }

    /// <summary>The agent answered, but with an error: reachable, and worth showing.</summary>
    public void RecordError(string message)
    {
        lock (_lock)
        {
            _lastAnswer = timeProvider.GetUtcNow();
            _lastError = message;
        }
    }

    public void RecordUnreachable(string message)
    {
        lock (_lock)
        {
            _lastUnreachable = timeProvider.GetUtcNow();
            _lastError = message;
        }
    }

    /// <param name="configFetchedAt">When the agent configuration was last fetched; null if never.</param>
    public (bool Reachable, string? LastError) Assess(DateTimeOffset? configFetchedAt)
    {
        lock (_lock)
        {
            var lastAnswer = Max(_lastAnswer, configFetchedAt);
            var reachable = lastAnswer is not null && (_lastUnreachable is null || lastAnswer > _lastUnreachable);
            return (reachable, _lastError);
        }
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
