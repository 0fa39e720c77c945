namespace CiliumDocker.Agent;

/// <summary>What went wrong with an agent call, as health, metrics, retry rules and the drivers read it.</summary>
internal enum AgentFailure
{
    /// <summary>No connection could be made (no socket, connection refused): the request never reached the agent.</summary>
    Unreachable,

    /// <summary>The agent took the request and gave no answer in time, or the connection dropped mid-exchange.</summary>
    NoAnswer,

    /// <summary>429 from the agent's API rate limiter: answered before the handler ran.</summary>
    RateLimited,

    /// <summary>503: the agent is up but not ready to serve the call yet; answered before the handler ran.</summary>
    NotReady,

    /// <summary>4xx: the agent refused the request as it stands; repeating it unchanged is refused again.</summary>
    Refused,

    /// <summary>5xx other than 503: the handler ran and failed, often with a verdict ("already allocated").</summary>
    ServerError,

    /// <summary>The agent answered something the plugin cannot read: an incompatible version.</summary>
    BadAnswer,

    /// <summary>The Docker call's deadline had passed before the call could be made.</summary>
    OutOfTime,
}

internal static class AgentFailureFacts
{
    public static AgentFailure FromStatus(int status) => status switch
    {
        429 => AgentFailure.RateLimited,
        503 => AgentFailure.NotReady,
        >= 500 => AgentFailure.ServerError,
        _ => AgentFailure.Refused,
    };

    /// <summary>Whether the agent may have carried the request out although the call failed.</summary>
    public static bool AgentMayHaveActed(this AgentFailure failure) => failure is AgentFailure.NoAnswer or AgentFailure.ServerError;

    /// <summary>Whether the same request, made again later, may succeed: worth owing instead of giving up.</summary>
    public static bool IsWorthRetryingLater(this AgentFailure failure) =>
        failure is not (AgentFailure.Refused or AgentFailure.BadAnswer);
}
