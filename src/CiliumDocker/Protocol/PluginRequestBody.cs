using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Protocol;

/// <summary>
/// Docker sends no Content-Type, so ASP.NET's JSON binding refuses its requests (415): bodies are read raw here.
/// </summary>
internal static class PluginRequestBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, string call, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);

        // Kestrel's MaxRequestBodySize bounds this copy; a larger body throws BadHttpRequestException.
        using var buffer = new MemoryStream(request.ContentLength is > 0 and < 64 * 1024 ? (int)request.ContentLength : 256);
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), typeInfo, call);
    }

    public static T Deserialize<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> typeInfo, string call)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (IsBlank(body))
        {
            throw new RequestRefusedException(
                $"the request body is empty, but {call} needs a JSON object; send the request as Docker does");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (JsonException ex)
        {
            throw new RequestRefusedException($"the request body of {call} is not the JSON object Docker sends: {ex.Message}", ex);
        }

        return value ?? throw new RequestRefusedException($"the request body of {call} is JSON null; a JSON object is required");
    }

    private static bool IsBlank(ReadOnlySpan<byte> body) => body.Trim(" \t\r\n"u8).IsEmpty;
}
