using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Addresses;

/// <summary>What <see cref="AddressLedger"/> keeps on disk (<c>addresses.json</c> in the state directory). Its
/// parts are keyed by address: a change is journaled as the new entries of the addresses it touched.</summary>
internal sealed class AddressLedgerState : IKeyedState<AddressLedgerState>
{
    private const string ReservationsName = "reservations";
    private const string ExpiringName = "expiring";
    private const string ClaimsName = "claims";
    private const string DeferredReleasesName = "deferredReleases";

    /// <summary>Addresses held at the agent without an expiration timer (<c>--ip</c>, aux addresses, user subnets,
    /// re-reservations). The agent never frees these, so the plugin releases them itself when no endpoint claims
    /// them in time.</summary>
    [JsonPropertyName(ReservationsName)]
    public List<ReservedAddress> Reservations { get; init; } = [];

    /// <summary>Addresses the agent allocated with an expiration timer; an endpoint stops it with the UUID.</summary>
    [JsonPropertyName(ExpiringName)]
    public List<ExpiringAddress> Expiring { get; init; } = [];

    /// <summary>Addresses an agent endpoint holds. The agent releases them when the endpoint is deleted, so Docker's
    /// ReleaseAddress after that must not reach the agent: by then the agent may have given the address to another
    /// container.</summary>
    [JsonPropertyName(ClaimsName)]
    public List<ClaimedAddress> Claims { get; init; } = [];

    /// <summary>Releases Docker asked for while the agent could not take them.</summary>
    [JsonPropertyName(DeferredReleasesName)]
    public List<DeferredRelease> DeferredReleases { get; init; } = [];

    public void WritePart(Utf8JsonWriter writer, string key)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var context = AddressStateJsonContext.Default;
        writer.WriteStartObject();
        WriteEntries(writer, ReservationsName, Reservations, key, context.ReservedAddress);
        WriteEntries(writer, ExpiringName, Expiring, key, context.ExpiringAddress);
        WriteEntries(writer, ClaimsName, Claims, key, context.ClaimedAddress);
        WriteEntries(writer, DeferredReleasesName, DeferredReleases, key, context.DeferredRelease);
        writer.WriteEndObject();
    }

    public void ReplacePart(string key, AddressLedgerState part)
    {
        ArgumentNullException.ThrowIfNull(part);

        // A list the record left out is null (the serializer sets init-only properties it did not read), and an
        // entry of another address would survive that address's next change.
        if (part.Reservations is null || part.Expiring is null || part.Claims is null || part.DeferredReleases is null)
        {
            throw new ArgumentException($"the part of {key} lacks one of its lists", nameof(part));
        }

        if (HoldsOthers(part.Reservations, key) || HoldsOthers(part.Expiring, key) || HoldsOthers(part.Claims, key) || HoldsOthers(part.DeferredReleases, key))
        {
            throw new ArgumentException($"the part of {key} holds an entry of another address", nameof(part));
        }

        Replace(Reservations, part.Reservations, key);
        Replace(Expiring, part.Expiring, key);
        Replace(Claims, part.Claims, key);
        Replace(DeferredReleases, part.DeferredReleases, key);
    }

    private static void WriteEntries<TEntry>(Utf8JsonWriter writer, string name, List<TEntry> entries, string key, JsonTypeInfo<TEntry> typeInfo)
        where TEntry : IAddressEntry
    {
        writer.WriteStartArray(name);
        foreach (var entry in entries)
        {
            if (entry.Ip == key)
            {
                JsonSerializer.Serialize(writer, entry, typeInfo);
            }
        }

        writer.WriteEndArray();
    }

    private static bool HoldsOthers<TEntry>(List<TEntry> part, string key)
        where TEntry : IAddressEntry
        => part.Exists(entry => entry.Ip != key);

    private static void Replace<TEntry>(List<TEntry> entries, List<TEntry> part, string key)
        where TEntry : IAddressEntry
    {
        entries.RemoveAll(entry => entry.Ip == key);
        entries.AddRange(part);
    }
}

/// <summary>An entry of the ledger: every entry belongs to one address, the key of its part.</summary>
internal interface IAddressEntry
{
    string Ip { get; }
}

internal sealed record ReservedAddress(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("deadline")] DateTimeOffset Deadline) : IAddressEntry;

internal sealed record ExpiringAddress(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("uuid")] string Uuid,
    [property: JsonPropertyName("expires")] DateTimeOffset Expires) : IAddressEntry
{
    /// <summary>The agent's pool (Cilium 1.14+ names it in the answer); null: the default pool.</summary>
    [JsonPropertyName("pool")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Pool { get; init; }
}

internal sealed record ClaimedAddress(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("endpoint")] string EndpointId) : IAddressEntry
{
    /// <summary>When the plugin deleted (or queued the deletion of) the endpoint; null while it lives.</summary>
    [JsonPropertyName("endpointGone")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? EndpointGone { get; init; }
}

internal sealed record DeferredRelease(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("since")] DateTimeOffset Since) : IAddressEntry
{
    [JsonPropertyName("pool")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Pool { get; init; }
}

/// <summary>A release the agent is owed: the address and the agent pool it came from.</summary>
internal readonly record struct OwedRelease(System.Net.IPAddress Address, string Pool);

[JsonSerializable(typeof(AddressLedgerState))]
internal sealed partial class AddressStateJsonContext : JsonSerializerContext;
