namespace CiliumDocker.Cilium;

/// <summary>A failed agent call. <see cref="Exception.Message"/> is written for the person reading Docker's error.</summary>
internal sealed class CiliumAgentException : Exception
{
    public CiliumAgentException(string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The agent's HTTP status, or null when the agent was not reached.</summary>
    public int? StatusCode { get; }

    public bool AgentUnreachable => StatusCode is null;

    /// <summary>The agent refused the request as it stands (4xx): repeating it unchanged would be refused again.</summary>
    public bool Refused => StatusCode is >= 400 and < 500;

    /// <summary>
    /// The agent could not stop an address's expiration timer at endpoint creation: it restarted since the address
    /// was allocated (timers live in its memory), or the timer ran out. It removed the endpoint again (500).
    /// </summary>
    public bool ExpirationTimerLost => StatusCode is >= 500 && Message.Contains("expiration timer", StringComparison.Ordinal);
}
