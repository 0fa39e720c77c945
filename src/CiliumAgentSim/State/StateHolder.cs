namespace CiliumAgentSim.State;

/// <summary>The state in force; a restart that loses state swaps in a fresh one.</summary>
internal sealed class StateHolder(AgentState initial)
{
    private AgentState _current = initial;

    public AgentState Current => Volatile.Read(ref _current);

    /// <summary>
    /// Service changes and their datapath work, one at a time, so the datapath ends up with the state's last word on
    /// a service and not an older one.
    /// </summary>
    public SerialQueue ServiceChanges { get; } = new();

    /// <summary>Installs <paramref name="next"/> and returns the state it replaced.</summary>
    public AgentState Replace(AgentState next) => Interlocked.Exchange(ref _current, next);
}
