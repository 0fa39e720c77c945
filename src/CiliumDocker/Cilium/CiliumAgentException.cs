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
}
