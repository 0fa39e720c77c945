using System.Net;
using System.Net.Sockets;
using Polly;
using Polly.Timeout;

namespace CiliumDocker.Cilium;

/// <summary>What an attempt's failure says about whether the agent acted on it.</summary>
internal enum AgentFailureKind
{
    /// <summary>Success, or an answer a repeat would not change (4xx, cancellation, a local bug).</summary>
    Final,

    /// <summary>No connection: the request never reached the agent.</summary>
    NotDelivered,

    /// <summary>429 from the agent's API rate limiter or 503 "not ready yet": both are answered before the
    /// handler runs (see the agent's endpoint PUT handler), so nothing was done.</summary>
    NotProcessed,

    /// <summary>The attempt timed out or the connection dropped mid-exchange: the agent may have acted.</summary>
    Ambiguous,

    /// <summary>5xx: the handler ran and failed; a repeat may fare better.</summary>
    ServerError,
}

internal static class AgentRetryRules
{
    public static AgentFailureKind Classify(Outcome<AgentReply> outcome) => outcome.Exception switch
    {
        null => Classify(outcome.Result.Status),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } e
            when FindSocketError(e) is SocketError.AccessDenied => AgentFailureKind.Final,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => AgentFailureKind.NotDelivered,
        TimeoutRejectedException or HttpRequestException or IOException => AgentFailureKind.Ambiguous,
        _ => AgentFailureKind.Final,
    };

    public static AgentFailureKind Classify(HttpStatusCode status) => (int)status switch
    {
        429 or 503 => AgentFailureKind.NotProcessed,
        >= 500 => AgentFailureKind.ServerError,
        _ => AgentFailureKind.Final,
    };

    public static bool ShouldRetry(AgentCallSafety safety, AgentFailureKind failure) => failure switch
    {
        AgentFailureKind.NotDelivered or AgentFailureKind.NotProcessed => true,
        AgentFailureKind.Ambiguous => safety is AgentCallSafety.Repeatable or AgentCallSafety.RepeatableExceptServerErrors,
        AgentFailureKind.ServerError => safety is AgentCallSafety.Repeatable,
        _ => false,
    };

    public static SocketError? FindSocketError(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socketException)
            {
                return socketException.SocketErrorCode;
            }
        }

        return null;
    }
}

/// <summary>An agent answer read to the end inside the attempt, so the attempt timeout also covers the body.</summary>
internal readonly record struct AgentReply(HttpStatusCode Status, byte[] Body)
{
    public bool IsSuccess => (int)Status is >= 200 and <= 299;
}
