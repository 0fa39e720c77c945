using System.Text.Json.Serialization;

namespace CiliumAgentSim.Model;

/// <summary>The error object go-swagger's router and validator write (not the agent's JSON-string <c>Error</c>).</summary>
internal sealed class SwaggerError
{
    [JsonPropertyName("code")]
    public int Code { get; init; }

    [JsonPropertyName("message")]
    public required string Message { get; init; }
}
