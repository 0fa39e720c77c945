using System.Text;
using System.Text.Json;
using CiliumDocker.Addresses;
using NUnit.Framework;

namespace CiliumDocker.Tests.Addresses;

internal sealed class AddressLedgerStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void WritePart_IsWhatTheSerializerWritesForAStateOfThatAddressAlone()
    {
        var state = new AddressLedgerState
        {
            Reservations = [new ReservedAddress("10.0.0.1", Now), new ReservedAddress("10.0.0.2", Now)],
            Expiring = [new ExpiringAddress("10.0.0.1", "uuid-1", Now) { Pool = "blue" }],
            Claims = [new ClaimedAddress("10.0.0.2", "ep2"), new ClaimedAddress("10.0.0.1", "ep1") { EndpointGone = Now }],
            DeferredReleases = [new DeferredRelease("10.0.0.1", Now)],
        };
        var alone = new AddressLedgerState
        {
            Reservations = [state.Reservations[0]],
            Expiring = [state.Expiring[0]],
            Claims = [state.Claims[1]],
            DeferredReleases = [state.DeferredReleases[0]],
        };

        Assert.Multiple(() =>
        {
            Assert.That(Part(state, "10.0.0.1"), Is.EqualTo(JsonSerializer.Serialize(alone, AddressStateJsonContext.Default.AddressLedgerState)));
            Assert.That(Part(state, "10.0.0.9"), Is.EqualTo(JsonSerializer.Serialize(new AddressLedgerState(), AddressStateJsonContext.Default.AddressLedgerState)));
        });
    }

    private static string Part(AddressLedgerState state, string key)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            state.WritePart(writer, key);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
