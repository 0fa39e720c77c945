using System.Text.Json.Serialization;

namespace CiliumDocker.Ipam;

/// <summary>What <see cref="AddressLedger"/> keeps on disk (<c>addresses.json</c> in the state directory).</summary>
internal sealed class AddressLedgerState
{
    /// <summary>Addresses reserved by IP (<c>--ip</c>, aux addresses, user subnets). The agent never expires these,
    /// so the plugin releases them itself when no endpoint claims them in time.</summary>
    [JsonPropertyName("reservations")]
    public List<ReservedAddress> Reservations { get; init; } = [];

    /// <summary>Addresses the agent allocated with an expiration timer; an endpoint stops it with the UUID.</summary>
    [JsonPropertyName("expiring")]
    public List<ExpiringAddress> Expiring { get; init; } = [];

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
    [property: JsonPropertyName("expires")] DateTimeOffset Expires);

internal sealed record DeferredRelease(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("since")] DateTimeOffset Since);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(AddressLedgerState))]
internal sealed partial class IpamStateJsonContext : JsonSerializerContext;
