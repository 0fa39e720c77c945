using CiliumAgentSim.Api;

namespace CiliumAgentSim.Faults;

/// <summary>Applies the <see cref="FaultInjector"/>'s decision to each agent request before (or around) its handler.</summary>
internal sealed class FaultMiddleware(RequestDelegate next, FaultInjector faults)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var decision = faults.Decide(request.Method, request.Path.Value ?? "/");
        try
        {
            if (decision.Blackhole is { } hole)
            {
                // Connection accepted, request read, no answer until the blackhole is switched off.
                await hole.WaitAsync(context.RequestAborted);
            }

            if (decision.Abort is { } abort)
            {
                if (abort.After)
                {
                    await RunThenAbortAsync(context);
                }

                context.Abort();
                return;
            }

            if (decision.Fail is { } fail)
            {
                // Like the agent: 429 (and 403/404/409) have no body, every other error is a JSON string.
                var message = fail.Status is 403 or 404 or 409 or 429 ? null : fail.Message ?? FaultInjector.DefaultFailMessage;
                await AgentResponses.WriteErrorAsync(context, fail.Status, message);
                return;
            }

            if (decision.Delay is { After: false } before)
            {
                await Task.Delay(before.DelayMs, context.RequestAborted);
            }

            if (decision.Delay is { After: true } after)
            {
                await RunThenDelayAsync(context, after.DelayMs);
                return;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        await next(context);
    }

    /// <summary>The request takes effect, then the connection drops before a byte of the answer is sent.</summary>
    private async Task RunThenAbortAsync(HttpContext context)
    {
        var original = context.Response.Body;
        using var discarded = new MemoryStream();
        context.Response.Body = discarded;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
    }

    /// <summary>The request takes effect now; its answer is held back, so a client that times out meanwhile
    /// faces an ambiguous outcome (the work is done but it never heard so).</summary>
    private async Task RunThenDelayAsync(HttpContext context, int delayMs)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
            await Task.Delay(delayMs, context.RequestAborted);
            buffer.Position = 0;
            context.Response.ContentLength = buffer.Length;
            await buffer.CopyToAsync(original, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up; the work stays done.
        }
        finally
        {
            context.Response.Body = original;
        }
    }
}
