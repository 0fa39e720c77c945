namespace CiliumDocker.Cilium;

/// <summary>Counters of agent traffic, read by <c>/Plugin.Health</c> and <c>/metrics</c>.</summary>
internal sealed class AgentCallStatistics
{
    private long _calls;
    private long _retries;
    private long _failures;
    private long _unreachable;

    public long Calls => Interlocked.Read(ref _calls);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Calls that failed after every attempt the pipeline allowed.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Failures where the agent socket could not be reached at all.</summary>
    public long Unreachable => Interlocked.Read(ref _unreachable);

    public void RecordCall() => Interlocked.Increment(ref _calls);

    public void RecordRetry() => Interlocked.Increment(ref _retries);

    public void RecordFailure(bool unreachable)
    {
        Interlocked.Increment(ref _failures);
        if (unreachable)
        {
            Interlocked.Increment(ref _unreachable);
        }
    }
}
