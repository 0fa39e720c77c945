using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CiliumDocker.Infrastructure;
using Polly.Timeout;

namespace CiliumDocker.Agent;

/// <summary>Turns agent answers and transport failures into words an operator can act on.</summary>
internal static class AgentErrorText
{
    private const int MaxMessageLength = 512;

    /// <summary>
    /// The agent's error text. Its <c>Error</c> model is a JSON string (<c>"IP is in use by endpoint 12"</c>);
    /// go-openapi's own errors (bad parameters) are <c>{"code":..,"message":".."}</c>; responses declared without a
    /// schema are empty. Anything else is shown as received.
    /// </summary>
    public static string? DecodeMessage(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body).Trim();
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.String)
            {
                return Shorten(root.GetString()?.Trim());
            }

            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return Shorten(message.GetString()?.Trim());
            }
        }
        catch (JsonException)
        {
            // Not JSON: plain text from something other than the agent's API layer.
        }

        return Shorten(text);
    }

    /// <summary>Why an attempt failed, in a few words: "connection refused", "500 Internal Server Error: ...".</summary>
    public static string DescribeFailure(SocketEndpoint endpoint, Exception exception) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } e => DescribeConnectFailure(endpoint, e),
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "the agent closed the connection before answering",
        TimeoutRejectedException t => $"no answer within {FormatDuration(t.Timeout)}",
        HttpRequestException or IOException => "the connection failed mid-request: " + exception.Message,
        _ => exception.Message,
    };

    public static string DescribeStatus(HttpStatusCode status, ReadOnlySpan<byte> body) =>
        $"{StatusText(status)}: {DecodeMessage(body) ?? "(no message)"}";

    public static string StatusText(HttpStatusCode status)
    {
        var code = (int)status;
        var reason = ReasonPhrase(code);
        return reason is null ? code.ToString(CultureInfo.InvariantCulture) : $"{code} {reason}";
    }

    /// <summary>What an operator should check when the agent could not be reached at all.</summary>
    public static string UnreachableHint(SocketEndpoint endpoint, SocketError? socketError) => socketError switch
    {
        SocketError.AccessDenied => "the plugin must run as root or otherwise be allowed to connect to the agent socket",
        _ when endpoint.IsUnixSocket => "is cilium-agent running and is its socket mounted into the plugin?",
        _ => $"is cilium-agent running and serving its API on {endpoint.HostAndPort}?",
    };

    /// <summary>What an operator should do about an HTTP error the agent answered.</summary>
    public static string? StatusHint(HttpStatusCode status) => (int)status switch
    {
        429 => "the agent is rate-limiting API calls; try again shortly",
        503 => "the agent is not ready yet; try again shortly",
        >= 500 => "see the cilium-agent log",
        _ => null,
    };

    public static string FormatDuration(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerSecond == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalSeconds} s")
            : string.Create(CultureInfo.InvariantCulture, $"{(long)duration.TotalMilliseconds} ms");

    /// <summary>What was left of a deadline, never a round number: tenths of a second from 1 s up ("19.9 s", not "19943 ms").</summary>
    public static string FormatRemaining(TimeSpan remaining) =>
        remaining >= TimeSpan.FromSeconds(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{Math.Round(remaining.TotalSeconds, 1):0.#} s")
            : FormatDuration(remaining);

    private static string DescribeConnectFailure(SocketEndpoint endpoint, HttpRequestException exception) =>
        AgentRetryRules.FindSocketError(exception) switch
        {
            // ENOENT surfaces as AddressNotAvailable ("Cannot assign requested address"), which misleads.
            SocketError.AddressNotAvailable when endpoint.IsUnixSocket => "no socket file at that path",
            SocketError.ConnectionRefused => "connection refused",
            SocketError.AccessDenied => "permission denied",
            SocketError.TimedOut => "connection timed out",
            SocketError.HostNotFound => "host not found",
            _ => (exception.InnerException ?? exception).Message,
        };

    private static string? Shorten(string? text) =>
        string.IsNullOrEmpty(text) ? null : text.Length <= MaxMessageLength ? text : text[..MaxMessageLength] + "...";

    private static string? ReasonPhrase(int code) => code switch
    {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => null,
    };
}
