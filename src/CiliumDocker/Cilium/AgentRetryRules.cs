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

    /// <summary>
    /// Whether to repeat after the failed attempt <paramref name="attemptNumber"/> (0 = the first). What the agent never
    /// processed is repeated until the budget ends (bounded by <see cref="MaxAttemptsWithinBudget"/>), unless the agent
    /// has been unreachable for longer than a budget already; what it may have processed, at most
    /// <paramref name="maxRetriesOfProcessed"/> times and only where the call's safety allows.
    /// </summary>
    public static bool ShouldRetry(AgentCallSafety safety, AgentFailureKind failure, int attemptNumber, int maxRetriesOfProcessed, bool outageOutlastsBudget) => failure switch
    {
        AgentFailureKind.NotDelivered => !outageOutlastsBudget,
        AgentFailureKind.NotProcessed => true,
        AgentFailureKind.Ambiguous => attemptNumber < maxRetriesOfProcessed && safety is AgentCallSafety.Repeatable or AgentCallSafety.RepeatableExceptServerErrors,
        AgentFailureKind.ServerError => attemptNumber < maxRetriesOfProcessed && safety is AgentCallSafety.Repeatable,
        _ => false,
    };

    /// <summary>
    /// The retry strategy's own cap. The budget is what ends a retry loop; the cap only keeps it finite when delays
    /// are zero or time does not move (a fake clock): enough attempts to fill the budget at the longest delay.
    /// </summary>
    public static int MaxAttemptsWithinBudget(AgentClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxUnprocessedRetryAttempts is { } fixedCap)
        {
            return Math.Max(fixedCap, options.MaxRetryAttempts);
        }

        var longestDelay = Math.Max(options.MaxRetryDelay.TotalMilliseconds, 100);
        var fill = (int)Math.Min(Math.Ceiling(options.TotalBudget.TotalMilliseconds / longestDelay), 10_000);
        return options.MaxRetryAttempts + fill;
    }

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
