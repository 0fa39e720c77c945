using System.Text.Json.Serialization;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Addresses;

/// <summary>What <see cref="AddressLedger"/> keeps on disk (<c>addresses.json</c> in the state directory). Its
/// parts are keyed by address: a change is journaled as the new entries of the addresses it touched.</summary>
internal sealed class AddressLedgerState : IKeyedState<AddressLedgerState>
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

    public AddressLedgerState PartOf(string key) => new()
    {
        Reservations = Reservations.FindAll(entry => entry.Ip == key),
        Expiring = Expiring.FindAll(entry => entry.Ip == key),
        Claims = Claims.FindAll(entry => entry.Ip == key),
        DeferredReleases = DeferredReleases.FindAll(entry => entry.Ip == key),
    };

    public void ReplacePart(string key, AddressLedgerState part)
    {
        ArgumentNullException.ThrowIfNull(part);

        // A list the record left out is null (the serializer sets init-only properties it did not read), and an
        // entry of another address would survive that address's next change.
        if (part.Reservations is null || part.Expiring is null || part.Claims is null || part.DeferredReleases is null)
        {
            throw new ArgumentException($"the part of {key} lacks one of its lists", nameof(part));
        }

        if (part.Reservations.Exists(entry => entry.Ip != key) || part.Expiring.Exists(entry => entry.Ip != key)
            || part.Claims.Exists(entry => entry.Ip != key) || part.DeferredReleases.Exists(entry => entry.Ip != key))
        {
            throw new ArgumentException($"the part of {key} holds an entry of another address", nameof(part));
        }

        Replace(Reservations, part.Reservations, entry => entry.Ip == key);
        Replace(Expiring, part.Expiring, entry => entry.Ip == key);
        Replace(Claims, part.Claims, entry => entry.Ip == key);
        Replace(DeferredReleases, part.DeferredReleases, entry => entry.Ip == key);
    }

    private static void Replace<TEntry>(List<TEntry> entries, List<TEntry> part, Predicate<TEntry> ofKey)
    {
        entries.RemoveAll(ofKey);
        entries.AddRange(part);
    }
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
