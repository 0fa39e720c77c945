using System.Text.Json.Serialization;

namespace CiliumAgentSim.Model;

/// <summary>Answer of <c>GET /v1/config</c>.</summary>
internal sealed class DaemonConfiguration
{
    [JsonPropertyName("spec")]
    public required DaemonConfigurationSpec Spec { get; init; }

    [JsonPropertyName("status")]
    public required DaemonConfigurationStatus Status { get; init; }
}

internal sealed class DaemonConfigurationSpec
{
    [JsonPropertyName("options")]
    public Dictionary<string, string> Options { get; init; } = [];

    [JsonPropertyName("policy-enforcement")]
    public string PolicyEnforcement { get; init; } = "default";
}

/// <summary>Integer fields are omitted when zero, like the agent's Go <c>omitempty</c>.</summary>
internal sealed class DaemonConfigurationStatus
{
    [JsonPropertyName("addressing")]
    public required NodeAddressing Addressing { get; init; }

    [JsonPropertyName("deviceMTU")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int DeviceMtu { get; init; }

    [JsonPropertyName("routeMTU")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int RouteMtu { get; init; }

    [JsonPropertyName("datapathMode")]
    public string? DatapathMode { get; init; }

    [JsonPropertyName("ipam-mode")]
    public string? IpamMode { get; init; }

    [JsonPropertyName("masquerade")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Masquerade { get; init; }

    [JsonPropertyName("GROMaxSize")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long GroMaxSize { get; init; }

    [JsonPropertyName("GSOMaxSize")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long GsoMaxSize { get; init; }

    [JsonPropertyName("GROIPv4MaxSize")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long GroIPv4MaxSize { get; init; }

    [JsonPropertyName("GSOIPv4MaxSize")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long GsoIPv4MaxSize { get; init; }
}

/// <summary>The agent omits the element of a disabled family (a nil pointer in Go).</summary>
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

    [JsonPropertyName("ip")]
    public string Ip { get; init; } = "";

    [JsonPropertyName("alloc-range")]
    public string AllocRange { get; init; } = "";

    [JsonPropertyName("address-type")]
    public string AddressType { get; init; } = "";
}
