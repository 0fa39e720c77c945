using System.Text.Json.Serialization;

namespace CiliumAgentSim.Model;

/// <summary>
/// A service frontend. The agent reads <c>protocol</c> but ignores it for lookups and never writes it back.
/// </summary>
internal sealed class FrontendAddress
{
    [JsonPropertyName("ip")]
    public string? Ip { get; init; }

    [JsonPropertyName("port")]
    public long? Port { get; init; }

    [JsonPropertyName("protocol")]
    public string? Protocol { get; init; }

    [JsonPropertyName("scope")]
    public string? Scope { get; init; }
}

internal sealed class BackendAddress
{
    /// <summary>Required by the schema; Go keeps it a pointer, so only a missing or null <c>ip</c> is a 422.</summary>
    [JsonPropertyName("ip")]
    public string? Ip { get; init; }

    [JsonPropertyName("nodeName")]
    public string? NodeName { get; init; }

    [JsonPropertyName("port")]
    public long? Port { get; init; }
}
