namespace CiliumDocker.Agent;

/// <summary>A failed agent call. <see cref="Exception.Message"/> is written for the person reading Docker's error.</summary>
internal sealed class CiliumAgentException : Exception
{
    public CiliumAgentException(string message, AgentFailure failure, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
        StatusCode = statusCode;
    }

    public AgentFailure Failure { get; }

    /// <summary>The agent's HTTP status, or null when it gave none.</summary>
    public int? StatusCode { get; }

    public bool AgentUnreachable => Failure == AgentFailure.Unreachable;

    /// <summary>The agent refused the request as it stands (4xx): repeating it unchanged would be refused again.</summary>
    public bool Refused => Failure == AgentFailure.Refused;

    /// <summary>The agent's handler ran and said no (4xx, or a 5xx verdict such as "already allocated").</summary>
    public bool IsVerdict => Failure is AgentFailure.Refused or AgentFailure.ServerError;

    /// <summary>The agent may have done what was asked although the call failed: undo must not assume it did not.</summary>
    public bool AgentMayHaveActed => Failure.AgentMayHaveActed();

    /// <summary>The same request may succeed later (the agent was away, busy or failed inside): worth owing.</summary>
    public bool IsWorthRetryingLater => Failure.IsWorthRetryingLater();

    /// <summary>
    /// The agent could not stop an address's expiration timer at endpoint creation: it restarted since the address
    /// was allocated (timers live in its memory), or the timer ran out. It removed the endpoint again (500).
    /// </summary>
    public bool ExpirationTimerLost => Failure == AgentFailure.ServerError && Message.Contains("expiration timer", StringComparison.Ordinal);
}
