using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CiliumAgentSim.Api;

/// <summary>Reads a JSON body whatever the Content-Type (clients may send none).</summary>
internal static class RequestBody
{
    /// <summary>An empty body is an error unless <paramref name="allowEmpty"/>, then it reads as (null, null).</summary>
    public static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpContext context, string name, JsonTypeInfo<T> typeInfo, bool allowEmpty = false)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length == 0)
        {
            return (null, allowEmpty ? null : $"{name} in body is required");
        }

        try
        {
            var value = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), typeInfo);
            return value is null ? (null, $"{name} in body is required") : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, $"parsing {name} body from \"\" failed, because {ex.Message}");
        }
    }

    /// <summary>
    /// go-openapi's body binding: no body (or only whitespace) is 422 "required", undecodable JSON is 400 with a
    /// <c>{"code","message"}</c> object, and <c>null</c> decodes to the empty object.
    /// </summary>
    public static async Task<(T? Value, (int Status, int Code, string Message)? Error)> ReadSwaggerAsync<T>(
        HttpContext context, string name, JsonTypeInfo<T> typeInfo)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(context);
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (bytes.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (null, (422, 602, $"{name} in body is required"));
        }

        try
        {
            return (JsonSerializer.Deserialize(bytes, typeInfo) ?? new T(), null);
        }
        catch (JsonException ex)
        {
            var error = ParseError(name, ex.Message);
            return (null, (400, error.Code, error.Message));
        }
    }

    public static Model.SwaggerError ParseError(string name, string reason) =>
        new() { Code = 400, Message = $"parsing {name} body from \"\" failed, because {reason}" };
}
