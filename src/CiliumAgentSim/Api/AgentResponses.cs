using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CiliumAgentSim.Model;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Api;

/// <summary>Writes answers the way the agent's go-openapi server does.</summary>
internal static class AgentResponses
{
    public static async Task WriteJsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, typeInfo, context.RequestAborted);
    }

    /// <summary>The agent's <c>Error</c> model is a JSON string (with quotes); a null message is an empty body.</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string? message)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (message is null)
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        return WriteJsonAsync(context, status, message, SimJson.Wire.String);
    }

    /// <summary>Writes a state result; <paramref name="typeInfo"/> null means a success has no body.</summary>
    public static Task WriteAsync<T>(HttpContext context, AgentResult<T> result, JsonTypeInfo<T>? typeInfo)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!result.Succeeded)
        {
            return WriteErrorAsync(context, result.Status, result.Error);
        }

        if (typeInfo is null)
        {
            context.Response.StatusCode = result.Status;
            return Task.CompletedTask;
        }

        return WriteJsonAsync(context, result.Status, result.Value!, typeInfo);
    }

    /// <summary>go-swagger's validation failure: 422 with a <c>{"code","message"}</c> object.</summary>
    public static Task WriteValidationErrorAsync(HttpContext context, int code, string message) =>
        WriteJsonAsync(context, 422, new SwaggerError { Code = code, Message = message }, SimJson.Wire.SwaggerError);
}
