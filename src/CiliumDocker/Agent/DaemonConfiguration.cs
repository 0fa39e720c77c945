using System.Text.Json.Serialization;

namespace CiliumDocker.Agent;

internal sealed class DaemonConfiguration
{
    [JsonPropertyName("status")]
    public DaemonConfigurationStatus? Status { get; init; }
}

/// <summary>The fields of the agent's <c>status</c> the plugin reads; zero means "not set".</summary>
internal sealed class DaemonConfigurationStatus
{
    [JsonPropertyName("addressing")]
    public NodeAddressing? Addressing { get; init; }

    [JsonPropertyName("deviceMTU")]
    public int DeviceMtu { get; init; }

    [JsonPropertyName("routeMTU")]
    public int RouteMtu { get; init; }

    [JsonPropertyName("datapathMode")]
    public string? DatapathMode { get; init; }

    [JsonPropertyName("GROMaxSize")]
    public long GroMaxSize { get; init; }

    [JsonPropertyName("GSOMaxSize")]
    public long GsoMaxSize { get; init; }

    [JsonPropertyName("GROIPv4MaxSize")]
    public long GroIPv4MaxSize { get; init; }

    [JsonPropertyName("GSOIPv4MaxSize")]
    public long GsoIPv4MaxSize { get; init; }
}

internal sealed class NodeAddressing
{
    [JsonPropertyName("ipv4")]
    public NodeAddressingElement? IPv4 { get; init; }

    [JsonPropertyName("ipv6")]
    public NodeAddressingElement? IPv6 { get; init; }
}

internal sealed class NodeAddressingElement
{
    [JsonPropertyName("enabled")]
    public bool Enabled { get; init; }

    /// <summary>The router IP (the <c>cilium_host</c> address): the containers' gateway.</summary>
    [JsonPropertyName("ip")]
    public string? Ip { get; init; }

    [JsonPropertyName("alloc-range")]
    public string? AllocRange { get; init; }

    [JsonPropertyName("address-type")]
    public string? AddressType { get; init; }
}
