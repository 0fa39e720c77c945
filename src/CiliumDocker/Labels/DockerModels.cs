using System.Text.Json.Serialization;

namespace CiliumDocker.Labels;

// Only the fields the label watcher reads. Docker adds fields freely; unknown ones are skipped by the deserializer.

/// <summary>One message of <c>GET /events</c>.</summary>
internal sealed class DockerEvent
{
    [JsonPropertyName("Type")]
    public string? Type { get; init; }

    [JsonPropertyName("Action")]
    public string? Action { get; init; }

    [JsonPropertyName("Actor")]
    public DockerEventActor? Actor { get; init; }
}

internal sealed class DockerEventActor
{
    [JsonPropertyName("ID")]
    public string? Id { get; init; }
}

/// <summary><c>GET /containers/{id}/json</c>.</summary>
internal sealed class ContainerInspect
{
    [JsonPropertyName("Id")]
    public string? Id { get; init; }

    [JsonPropertyName("Name")]
    public string? Name { get; init; }

    /// <summary>The image ID the container was created from, stable even if its tag moved since.</summary>
    [JsonPropertyName("Image")]
    public string? Image { get; init; }

    [JsonPropertyName("Config")]
    public ContainerConfig? Config { get; init; }

    [JsonPropertyName("NetworkSettings")]
    public ContainerNetworkSettings? NetworkSettings { get; init; }
}

internal sealed class ContainerConfig
{
    [JsonPropertyName("Image")]
    public string? Image { get; init; }

    [JsonPropertyName("Labels")]
    public Dictionary<string, string?>? Labels { get; init; }
}

internal sealed class ContainerNetworkSettings
{
    [JsonPropertyName("Networks")]
    public Dictionary<string, ContainerNetworkEndpoint?>? Networks { get; init; }
}

internal sealed class ContainerNetworkEndpoint
{
    [JsonPropertyName("NetworkID")]
    public string? NetworkId { get; init; }

    [JsonPropertyName("EndpointID")]
    public string? EndpointId { get; init; }
}

/// <summary><c>GET /images/{name}/json</c>.</summary>
internal sealed class ImageInspect
{
    [JsonPropertyName("Config")]
    public ImageConfig? Config { get; init; }
}

internal sealed class ImageConfig
{
    [JsonPropertyName("Labels")]
    public Dictionary<string, string?>? Labels { get; init; }
}

/// <summary>One entry of <c>GET /containers/json</c>.</summary>
internal sealed class ContainerSummary
{
    [JsonPropertyName("Id")]
    public string? Id { get; init; }
}

/// <summary><c>GET /version</c>, asked only when <c>/_ping</c> carried no <c>API-Version</c> header.</summary>
internal sealed class DockerVersion
{
    [JsonPropertyName("ApiVersion")]
    public string? ApiVersion { get; init; }
}

/// <summary>Docker's error body.</summary>
internal sealed class DockerErrorBody
{
    [JsonPropertyName("message")]
    public string? Message { get; init; }
}
