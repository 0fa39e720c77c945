using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CiliumDocker.Agent;
using CiliumDocker.Datapath;
using CiliumDocker.Infrastructure;
using CiliumDocker.Observability;

namespace CiliumDocker.Protocol;

/// <summary>
/// The one place where a plugin call is timed, counted, given its deadline (<see cref="CallDeadline"/>: every agent
/// call made for it takes only what is left of <c>callDeadline</c>), and where any failure becomes Docker's error
/// shape: HTTP 500 with <c>{"Err","Error"}</c>, a message for a person, never a stack trace.
/// </summary>
internal sealed partial class PluginCallDispatcher(TimeSpan callDeadline, PluginMetrics metrics, TimeProvider timeProvider, ILogger<PluginCallDispatcher> logger)
{
    /// <summary>Docker ignores the response type; this is the plugin protocol's own media type.</summary>
    public const string ContentType = "application/vnd.docker.plugins.v1+json";

    /// <summary>Metric label of every path that is not a plugin call, so odd paths cannot grow the label set.</summary>
    public const string UnknownCall = "unknown";

    public async Task DispatchAsync(HttpContext context, string call, string method, Func<HttpContext, CancellationToken, Task> respond)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(respond);
        var started = timeProvider.GetTimestamp();
        var outcome = CallOutcome.Success;
        var aborted = context.RequestAborted;
        try
        {
            if (!string.Equals(context.Request.Method, method, StringComparison.OrdinalIgnoreCase))
            {
                outcome = CallOutcome.Error;
                await WriteErrorAsync(context.Response, StatusCodes.Status405MethodNotAllowed, $"{call} is called with {method}, not {context.Request.Method}");
                return;
            }

            LogCall(logger, call);
            using var deadline = CallDeadline.Start(timeProvider, callDeadline);
            await respond(context, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            outcome = CallOutcome.Aborted;
            LogAborted(logger, call);
        }
        catch (Exception ex)
        {
            outcome = CallOutcome.Error;
            var message = DescribeFailure(ex, call);
            if (context.Response.HasStarted)
            {
                LogFailedMidResponse(logger, ex, call);
                context.Abort();
            }
            else
            {
                await WriteErrorAsync(context.Response, StatusCodes.Status500InternalServerError, message);
            }
        }
        finally
        {
            metrics.RecordCall(call, outcome, timeProvider.GetElapsedTime(started));
        }
    }

    public async Task NotFoundAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var started = timeProvider.GetTimestamp();
        var path = context.Request.Path.Value ?? string.Empty;
        LogUnknownPath(logger, context.Request.Method, path);
        await WriteErrorAsync(
            context.Response,
            StatusCodes.Status404NotFound,
            $"{context.Request.Method} {path} is not a call cilium-docker implements; it serves /Plugin.Activate, /NetworkDriver.*, /IpamDriver.*, /Plugin.Health and /metrics");
        metrics.RecordCall(UnknownCall, CallOutcome.NotFound, timeProvider.GetElapsedTime(started));
    }

    public static async Task WriteJsonAsync<T>(HttpResponse response, T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        response.StatusCode = statusCode;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }

    private static Task WriteErrorAsync(HttpResponse response, int statusCode, string message)
        => WriteJsonAsync(response, new PluginErrorResponse(message), DockerJsonContext.Default.PluginErrorResponse, statusCode);

    private string DescribeFailure(Exception exception, string call)
    {
        switch (exception)
        {
            case RequestRefusedException or CiliumAgentException or DatapathException:
                LogRefused(logger, call, exception.Message);
                return exception.Message;
            case BadHttpRequestException badRequest:
                var message = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? $"the request body of {call} is larger than the plugin accepts; Docker's requests are a few hundred bytes"
                    : $"the request to {call} could not be read: {badRequest.Message}";
                LogRefused(logger, call, message);
                return message;
            default:
                LogUnexpected(logger, exception, call);
                return $"{call} failed unexpectedly ({exception.GetType().Name}: {exception.Message}); the plugin log has the details";
        }
    }

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "{Call} called")]
    private static partial void LogCall(ILogger logger, string call);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "{Call}: Docker closed the connection before the answer was ready")]
    private static partial void LogAborted(ILogger logger, string call);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "{Call} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string call, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "{Call} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string call);

    [LoggerMessage(EventId = 107, Level = LogLevel.Error, Message = "{Call} failed after its answer had started; the connection is dropped")]
    private static partial void LogFailedMidResponse(ILogger logger, Exception exception, string call);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "no plugin call at {Method} {Path}")]
    private static partial void LogUnknownPath(ILogger logger, string method, string path);
}
