namespace CiliumAgentSim.State;

/// <summary>The state in force; a restart that loses state swaps in a fresh one.</summary>
internal sealed class StateHolder(AgentState initial)
{
    private AgentState _current = initial;

    public AgentState Current => Volatile.Read(ref _current);

    /// <summary>Installs <paramref name="next"/> and returns the state it replaced.</summary>
    public AgentState Replace(AgentState next) => Interlocked.Exchange(ref _current, next);
}
