namespace CiliumDocker.Agent;

/// <summary>
/// Counters of agent traffic and the latest evidence of whether the agent answers, read by <c>/Plugin.Health</c> and
/// <c>/metrics</c>. Every attempt of every agent call reports here, the configuration monitor's included.
/// </summary>
internal sealed class AgentCallStatistics
{
    private volatile string? _lastError;
    private volatile bool _everDelivered;
    private long _calls;
    private long _retries;
    private long _failures;
    private long _unreachable;

    // UtcTicks of the first attempt in a row that could not connect; 0 while the agent answers.
    private long _unreachableSinceTicks;

    public long Calls => Interlocked.Read(ref _calls);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Calls that failed after every attempt the pipeline allowed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Failures where the agent socket could not be reached at all.</summary>
    public long Unreachable => Interlocked.Read(ref _unreachable);

    /// <summary>Since when no attempt could connect to the agent, or null while it answers.</summary>
    public DateTimeOffset? UnreachableSince =>
        Interlocked.Read(ref _unreachableSinceTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>The message of the latest call that failed, or null if none has.</summary>
    public string? LastError => _lastError;

    /// <summary>The latest attempt reached the agent: it answered at least once and no attempt since failed to connect.</summary>
    public bool Reachable => _everDelivered && UnreachableSince is null;

    /// <summary>An attempt reached the agent (any answer, or a connection that was accepted): the outage is over.</summary>
    public void RecordDelivered()
    {
        _everDelivered = true;
        Interlocked.Exchange(ref _unreachableSinceTicks, 0);
    }

    /// <summary>An attempt could not connect; the first of a row starts the outage.</summary>
    public void RecordNotDelivered(DateTimeOffset now) => Interlocked.CompareExchange(ref _unreachableSinceTicks, now.UtcTicks, 0);

    /// <summary>How long the agent has been unreachable, or null while it answers.</summary>
    public TimeSpan? OutageLength(DateTimeOffset now) => UnreachableSince is { } since ? now - since : null;

    /// <summary>
    /// The outage's length once it is longer than <paramref name="budget"/>, else null: the one rule for when calls
    /// stop waiting for the agent, since waiting a whole budget more would not help either.
    /// </summary>
    public TimeSpan? OutageLongerThan(TimeSpan budget, DateTimeOffset now) => OutageLength(now) is { } length && length > budget ? length : null;

    public void RecordCall() => Interlocked.Increment(ref _calls);

    public void RecordRetry() => Interlocked.Increment(ref _retries);

    public void RecordFailure(AgentFailure failure, string message)
    {
        _lastError = message;
        Interlocked.Increment(ref _failures);
        if (failure == AgentFailure.Unreachable)
        {
            Interlocked.Increment(ref _unreachable);
        }
    }
}
