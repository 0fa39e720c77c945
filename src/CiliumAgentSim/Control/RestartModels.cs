using System.Text.Json.Serialization;

namespace CiliumAgentSim.Control;

/// <summary>Body of <c>POST /restart</c>: drop the agent socket and bring it back after <c>downMs</c>.</summary>
internal sealed class RestartRequest
{
    [JsonPropertyName("keepState")]
    public bool KeepState { get; init; } = true;

    [JsonPropertyName("downMs")]
    public int DownMs { get; init; }
}

internal sealed class ControlError
{
    [JsonPropertyName("error")]
    public required string Error { get; init; }
}
