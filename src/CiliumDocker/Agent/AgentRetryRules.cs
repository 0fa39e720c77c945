using System.Net;
using System.Net.Sockets;
using Polly;
using Polly.Timeout;

namespace CiliumDocker.Agent;

internal static class AgentRetryRules
{
    /// <summary>What one attempt's outcome was, in the plugin's one failure model; null for a success and for
    /// failures that are not the agent's (cancellation, a local bug), which are never repeated.</summary>
    public static AgentFailure? Classify(Outcome<AgentReply> outcome) => outcome.Exception switch
    {
        null => outcome.Result.IsSuccess ? null : AgentFailureFacts.FromStatus((int)outcome.Result.Status),

        // The socket's permissions refuse this process: asking again is refused again.
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } e
            when FindSocketError(e) is SocketError.AccessDenied => AgentFailure.Refused,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => AgentFailure.Unreachable,
        TimeoutRejectedException or HttpRequestException or IOException => AgentFailure.NoAnswer,
        _ => null,
    };

    /// <summary>
    /// Whether to repeat after the failed attempt <paramref name="attemptNumber"/> (0 = the first). What the agent never
    /// processed (unreachable, 429, 503: answered before its handler ran) is repeated until the budget ends (bounded
    /// by <see cref="MaxAttemptsWithinBudget"/>), unless the agent has been unreachable for longer than a budget
    /// already; what it may have processed, at most <paramref name="maxRetriesOfProcessed"/> times and only where the
    /// call's safety allows.
    /// </summary>
    public static bool ShouldRetry(AgentCallSafety safety, AgentFailure? failure, int attemptNumber, int maxRetriesOfProcessed, bool outageOutlastsBudget) => failure switch
    {
        AgentFailure.Unreachable => !outageOutlastsBudget,
        AgentFailure.RateLimited or AgentFailure.NotReady => true,
        AgentFailure.NoAnswer => attemptNumber < maxRetriesOfProcessed && safety is AgentCallSafety.Repeatable or AgentCallSafety.RepeatableExceptServerErrors,
        AgentFailure.ServerError => attemptNumber < maxRetriesOfProcessed && safety is AgentCallSafety.Repeatable,
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
