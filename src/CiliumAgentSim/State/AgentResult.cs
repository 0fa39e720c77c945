namespace CiliumAgentSim.State;

/// <summary>
/// Outcome of a state operation as the agent would answer it: the HTTP status and, for failures, the message the
/// agent writes as a JSON string (null where the agent sends an empty body).
/// </summary>
internal readonly record struct AgentResult<T>(int Status, T? Value, string? Error)
{
    public bool Succeeded => Status is >= 200 and < 300;

    public static AgentResult<T> Ok(int status, T value) => new(status, value, null);

    public static AgentResult<T> Fail(int status, string? error = null) => new(status, default, error);
}
