using System.Text.Json;

namespace CiliumDocker.Bench.Wire;

/// <summary>The plugin answered a call with a status other than 200.</summary>
internal sealed class PluginCallFailedException : Exception
{
    public PluginCallFailedException(string path, PluginResponse response)
        : base($"{path} answered {response.Status}: {ErrorText(response.Body)}")
    {
    }

    /// <summary>The plugin's <c>Err</c> (driver) or <c>Error</c> (IPAM) message, else the raw body, as Docker shows it.</summary>
    internal static string ErrorText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var key in new[] { "Err", "Error" })
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(key, out var value)
                    && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } message)
                {
                    return message;
                }
            }
        }
        catch (JsonException)
        {
        }

        return body.Trim();
    }
}
