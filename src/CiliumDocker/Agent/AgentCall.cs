using System.Net;
using System.Net.Http.Headers;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Agent;

/// <summary>
/// One logical call to the agent: everything needed to build a fresh request per attempt (a request message cannot
/// be sent twice), which failures it may retry, and what the attempts so far have learned.
/// </summary>
internal sealed class AgentCall
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private AgentCall(HttpMethod method, string pathAndQuery, AgentCallSafety safety)
    {
        Method = method;
        PathAndQuery = pathAndQuery;
        Safety = safety;
    }

    public HttpMethod Method { get; }

    public string PathAndQuery { get; }

    public AgentCallSafety Safety { get; }

    public byte[]? JsonBody { get; private init; }

    public string? ExpirationHeader { get; private init; }

    /// <summary>For messages and logs: <c>POST /v1/ipam?family=ipv4&amp;owner=docker-ipam</c>.</summary>
    public string Description => $"{Method.Method} {PathAndQuery}";

    public int Attempts { get; private set; }

    /// <summary>Why the latest retried attempt failed, for the message when the budget runs out.</summary>
    public string? LastFailure { get; set; }

    /// <summary>The agent's status in the latest retried attempt, if it answered at all.</summary>
    public HttpStatusCode? LastStatus { get; set; }

    /// <summary>Whether the latest retried attempt failed because the agent could not be reached.</summary>
    public bool LastFailureUnreachable { get; set; }

    /// <summary>
    /// A retried attempt may have been carried out by the agent (it timed out, lost its connection or failed inside
    /// the agent). A later "already allocated" may then be this call's own earlier work.
    /// </summary>
    public bool EarlierAttemptMayHaveTakenEffect { get; set; }

    /// <summary>Time this call may take with its retries: the client's budget, or less when the Docker call it
    /// serves has less left (<see cref="CallDeadline"/>).</summary>
    public TimeSpan Budget { get; set; }

    /// <summary>Set when the total budget, not a single attempt, ran out.</summary>
    public bool BudgetExhausted { get; set; }

    /// <summary>One attempt may take the call's whole budget: the agent answers only after slow work.</summary>
    public bool UsesWholeBudget { get; private set; }

    public AgentCall WithWholeBudgetPerAttempt()
    {
        UsesWholeBudget = true;
        return this;
    }

    public static AgentCall Create(HttpMethod method, string pathAndQuery, AgentCallSafety safety) =>
        new(method, pathAndQuery, safety);

    public static AgentCall CreateWithJson(HttpMethod method, string pathAndQuery, AgentCallSafety safety, byte[] jsonBody) =>
        new(method, pathAndQuery, safety) { JsonBody = jsonBody };

    public static AgentCall CreateAllocation(string pathAndQuery, bool expiration, AgentCallSafety safety) =>
        new(HttpMethod.Post, pathAndQuery, safety) { ExpirationHeader = expiration ? "true" : "false" };

    public HttpRequestMessage CreateRequest(Uri baseAddress)
    {
        Attempts++;

        // Kept verbatim: Uri canonicalisation would unescape what AgentPaths escaped on purpose.
        var target = new Uri(baseAddress.OriginalString + PathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(Method, target);
        if (ExpirationHeader is not null)
        {
            request.Headers.TryAddWithoutValidation("expiration", ExpirationHeader);
        }

        if (JsonBody is not null)
        {
            var content = new ByteArrayContent(JsonBody);
            content.Headers.ContentType = JsonMediaType;
            request.Content = content;
        }

        return request;
    }
}

/// <summary>
/// Which failures a call may repeat, decided by what a repeat could do to the agent's state (product decision 5):
/// an attempt that never reached the agent is always repeatable, an attempt whose effect is unknown only when
/// doing the work twice is harmless.
/// </summary>
internal enum AgentCallSafety
{
    /// <summary>Repeating could create a second allocation or endpoint nobody owns: retry only what the agent never
    /// processed (no connection; 429/503 answered before the handler ran).</summary>
    OnlyUnprocessed,

    /// <summary>Repeating converges on the same state (reads, deletes, a PATCH with the same body, an expiring
    /// allocation): also retry timeouts, dropped connections and server errors.</summary>
    Repeatable,

    /// <summary>Like <see cref="Repeatable"/>, except that a server error is the agent's verdict, not a hiccup:
    /// <c>POST /v1/ipam/{ip}</c> answers "already allocated" and <c>DELETE /v1/ipam/{ip}</c> "IP is in use by
    /// endpoint N" with 500, and asking again only delays the answer.</summary>
    RepeatableExceptServerErrors,
}
