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
}
