using System.Text.Json.Serialization;

namespace CiliumDocker.Agent;

/// <summary>The agent's <c>ServiceSpec</c>: one frontend (address, port, protocol) load-balanced to its backends.</summary>
internal sealed record ServiceSpec
{
    [JsonPropertyName("id")]
    public long Id { get; init; }

    [JsonPropertyName("frontend-address")]
    public required FrontendAddress FrontendAddress { get; init; }

    [JsonPropertyName("backend-addresses")]
    public IReadOnlyList<BackendAddress>? BackendAddresses { get; init; }

    // The agent dereferences flags without a nil check (1.10: 500 after a recovered panic), so a PUT always carries them.
    [JsonPropertyName("flags")]
    public ServiceFlags? Flags { get; init; }
}

internal sealed record FrontendAddress
{
    [JsonPropertyName("ip")]
    public string? Ip { get; init; }

    [JsonPropertyName("port")]
    public int Port { get; init; }

    /// <summary>Sent lower case, as the API's enum spells it; agents answer it upper case.</summary>
    [JsonPropertyName("protocol")]
    public string? Protocol { get; init; }

    /// <summary><c>external</c> or <c>internal</c>; required by 1.10 agents.</summary>
    [JsonPropertyName("scope")]
    public string? Scope { get; init; }
}

internal sealed record BackendAddress
{
    [JsonPropertyName("ip")]
    public required string Ip { get; init; }

    [JsonPropertyName("port")]
    public int Port { get; init; }
}

internal sealed record ServiceFlags
{
    /// <summary>The Kubernetes service type the frontend behaves like; <c>HostPort</c> for a published port.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }
}

/// <summary>The agent's <c>Service</c>: the spec as asked and, under status, as realized.</summary>
internal sealed class AgentService
{
    [JsonPropertyName("spec")]
    public ServiceSpec? Spec { get; init; }
}
