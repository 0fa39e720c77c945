using System.Text.Json.Serialization;

namespace CiliumDocker.Protocol;

internal sealed class ActivateResponse
{
    [JsonPropertyName("Implements")]
    public required IReadOnlyList<string> Implements { get; init; }
}

/// <summary>
/// Every failure carries both keys: Docker's network driver client reads <c>Err</c>, its IPAM client <c>Error</c>.
/// </summary>
internal sealed class PluginErrorResponse
{
    public PluginErrorResponse(string message)
    {
        Err = message;
        Error = message;
    }

    [JsonPropertyName("Err")]
    public string Err { get; }

    [JsonPropertyName("Error")]
    public string Error { get; }
}

/// <summary>The <c>{}</c> answer of calls that return nothing: an empty 200 body is an error for Docker.</summary>
internal sealed class EmptyResponse
{
    public static readonly EmptyResponse Instance = new();
}
