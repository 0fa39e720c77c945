using System.Text.Json.Serialization;

namespace CiliumDocker.Addresses;

/// <summary>What <see cref="AddressLedger"/> keeps on disk (<c>addresses.json</c> in the state directory).</summary>
internal sealed class AddressLedgerState
{
    /// <summary>Addresses held at the agent without an expiration timer (<c>--ip</c>, aux addresses, user subnets,
    /// re-reservations). The agent never frees these, so the plugin releases them itself when no endpoint claims
    /// them in time.</summary>
    [JsonPropertyName("reservations")]
    public List<ReservedAddress> Reservations { get; init; } = [];

    /// <summary>Addresses the agent allocated with an expiration timer; an endpoint stops it with the UUID.</summary>
    [JsonPropertyName("expiring")]
    public List<ExpiringAddress> Expiring { get; init; } = [];

    /// <summary>Addresses an agent endpoint holds. The agent releases them when the endpoint is deleted, so Docker's
    /// ReleaseAddress after that must not reach the agent: by then the agent may have given the address to another
    /// container.</summary>
    [JsonPropertyName("claims")]
    public List<ClaimedAddress> Claims { get; init; } = [];

    /// <summary>Releases Docker asked for while the agent could not take them.</summary>
    [JsonPropertyName("deferredReleases")]
    public List<DeferredRelease> DeferredReleases { get; init; } = [];
}

internal sealed record ReservedAddress(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("deadline")] DateTimeOffset Deadline);

internal sealed record ExpiringAddress(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("uuid")] string Uuid,
    [property: JsonPropertyName("expires")] DateTimeOffset Expires)
{
    /// <summary>The agent's pool (Cilium 1.14+ names it in the answer); null: the default pool.</summary>
    [JsonPropertyName("pool")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Pool { get; init; }
}

internal sealed record ClaimedAddress(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("endpoint")] string EndpointId)
{
    /// <summary>When the plugin deleted (or queued the deletion of) the endpoint; null while it lives.</summary>
    [JsonPropertyName("endpointGone")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? EndpointGone { get; init; }
}

internal sealed record DeferredRelease(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("since")] DateTimeOffset Since)
{
    [JsonPropertyName("pool")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Pool { get; init; }
}

/// <summary>A release the agent is owed: the address and the agent pool it came from.</summary>
internal readonly record struct OwedRelease(System.Net.IPAddress Address, string Pool);

[JsonSerializable(typeof(AddressLedgerState))]
internal sealed partial class AddressStateJsonContext : JsonSerializerContext;
