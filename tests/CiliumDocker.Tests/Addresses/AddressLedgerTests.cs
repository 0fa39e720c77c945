using System.Net;
using CiliumDocker.Addresses;
using CiliumDocker.Hosting;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Addresses;

internal sealed class AddressLedgerTests
{
    private static readonly IPAddress Address = IPAddress.Parse("10.11.5.9");
    private PluginHarness _harness = null!;

    [SetUp]
    public void SetUp() => _harness = new PluginHarness();

    [TearDown]
    public void TearDown() => _harness.Dispose();

    [Test]
    public void TryReserve_SameAddressTwice_SecondIsRefusedAndFirstKept()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_harness.Ledger.TryReserve(Address), Is.True);
            Assert.That(_harness.Ledger.TryReserve(Address), Is.False);
            Assert.That(_harness.Ledger.ReservationCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void TryReserve_AddressAllocatedWithExpiration_IsRefused()
    {
        _harness.Ledger.RecordAllocated(Address, "uuid-1", pool: null);

        Assert.That(_harness.Ledger.TryReserve(Address), Is.False);
    }

    [Test]
    public void TakeDue_ReservationBeforeAndAfterDeadline()
    {
        _harness.Ledger.TryReserve(Address);

        _harness.Time.Advance(PluginHarness.ClaimTimeout - TimeSpan.FromTicks(1));
        var early = _harness.Ledger.TakeDue();
        _harness.Time.Advance(TimeSpan.FromTicks(1));
        var due = _harness.Ledger.TakeDue();

        Assert.Multiple(() =>
        {
            Assert.That(early, Is.Empty);
            Assert.That(due, Is.EqualTo(new[] { new OwedRelease(Address, "default") }));
            Assert.That((_harness.Ledger.ReservationCount, _harness.Ledger.DeferredReleaseCount), Is.EqualTo((0, 1)));
        });
    }

    [Test]
    public void TakeDue_OwedReleaseOfAddressBeingReserved_Waits()
    {
        _harness.Ledger.DeferRelease(Address, "default");
        _harness.Ledger.TryReserve(Address);

        Assert.That(_harness.Ledger.TakeDue(), Is.Empty);

        _harness.Ledger.DropReservation(Address);
        Assert.That(_harness.Ledger.TakeDue(), Is.EqualTo(new[] { new OwedRelease(Address, "default") }));
    }

    [Test]
    public void TakeDue_OverdueReservationOfAddressAlreadyOwed_IsOwedOnce()
    {
        _harness.Ledger.DeferRelease(Address, "default");
        _harness.Ledger.TryReserve(Address);
        _harness.Time.Advance(PluginHarness.ClaimTimeout);

        var due = _harness.Ledger.TakeDue();

        Assert.That((due.Count, _harness.Ledger.DeferredReleaseCount, _harness.Ledger.ReservationCount), Is.EqualTo((1, 1, 0)));
    }

    [Test]
    public void Claim_RemovesReservationAndExpiration()
    {
        _harness.Ledger.TryReserve(Address);
        _harness.Ledger.RecordAllocated(IPAddress.Parse("10.11.0.2"), "uuid", pool: null);

        _harness.Ledger.Claim(Address, "ep1");
        _harness.Ledger.Claim(IPAddress.Parse("10.11.0.2"), "ep1");

        Assert.That((_harness.Ledger.ReservationCount, _harness.Ledger.ExpiringCount), Is.EqualTo((0, 0)));
    }

    [Test]
    public void EveryChange_IsOnDiskForTheNextInstance()
    {
        _harness.Ledger.TryReserve(Address);
        _harness.Ledger.RecordAllocated(IPAddress.Parse("10.11.0.2"), "uuid-2", pool: "blue");
        _harness.Ledger.DeferRelease(IPAddress.Parse("10.11.0.3"), "default");

        var restarted = _harness.NewLedger();

        Assert.Multiple(() =>
        {
            Assert.That((restarted.ReservationCount, restarted.ExpiringCount, restarted.DeferredReleaseCount), Is.EqualTo((1, 1, 1)));
            Assert.That(restarted.ExpirationUuidOf(IPAddress.Parse("10.11.0.2")), Is.EqualTo("uuid-2"));
            Assert.That(restarted.PoolOf(IPAddress.Parse("10.11.0.2")), Is.EqualTo("blue"));
        });
    }

    [Test]
    public void ClaimsAndTheirEndpointsGoing_WhichAreNotFlushed_AreStillInTheFileForTheNextInstance()
    {
        var other = IPAddress.Parse("10.11.0.2");
        _harness.Ledger.RecordAllocated(Address, "uuid-1", pool: null);
        _harness.Ledger.Claim(Address, "ep1");
        _harness.Ledger.Claim(other, "ep2");
        _harness.Ledger.EndpointGone("ep1");

        var restarted = _harness.NewLedger();

        Assert.Multiple(() =>
        {
            Assert.That(restarted.ExpiringCount, Is.Zero);
            Assert.That(restarted.TrySettleReleasedClaim(Address), Is.True, "the endpoint's deletion is known after a restart");
            Assert.That(restarted.TrySettleReleasedClaim(other), Is.False, "the other endpoint still holds its address");
        });
    }

    [Test]
    public void TrySettleReleasedClaim_EndpointAlive_DoesNotSettle()
    {
        _harness.Ledger.Claim(Address, "ep1");

        Assert.That(_harness.Ledger.TrySettleReleasedClaim(Address), Is.False);
    }

    [Test]
    public void TrySettleReleasedClaim_EndpointGone_SettlesOnce()
    {
        _harness.Ledger.Claim(Address, "ep1");
        _harness.Ledger.EndpointGone("ep1");

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Ledger.TrySettleReleasedClaim(Address), Is.True);
            Assert.That(_harness.Ledger.TrySettleReleasedClaim(Address), Is.False);
        });
    }

    [Test]
    public void TrySettleReleasedClaim_AddressAllocatedAgainMeanwhile_SettlesTheOldClaimAndKeepsTheNewAllocation()
    {
        // The agent released the address with the first endpoint and gave it to the next container before
        // Docker's release for the first one arrived.
        _harness.Ledger.Claim(Address, "ep1");
        _harness.Ledger.EndpointGone("ep1");
        _harness.Ledger.RecordAllocated(Address, "uuid-new", pool: null);

        Assert.Multiple(() =>
        {
            Assert.That(_harness.Ledger.TrySettleReleasedClaim(Address), Is.True);
            Assert.That(_harness.Ledger.ExpirationUuidOf(Address), Is.EqualTo("uuid-new"));
        });
    }

    [Test]
    public void TakeDue_ClaimDockerNeverReleased_IsDroppedAfterTheClaimTimeout()
    {
        _harness.Ledger.Claim(Address, "ep1");
        _harness.Ledger.EndpointGone("ep1");

        _harness.Time.Advance(PluginHarness.ClaimTimeout);
        _harness.Ledger.TakeDue();

        Assert.That(_harness.Ledger.TrySettleReleasedClaim(Address), Is.False);
    }

    [Test]
    public void RecordAllocated_WithoutUuid_IsKeptLikeAReservation()
    {
        _harness.Ledger.RecordAllocated(Address, uuid: null, pool: null);

        Assert.That((_harness.Ledger.ReservationCount, _harness.Ledger.ExpiringCount), Is.EqualTo((1, 0)));
    }

    [Test]
    public void ContainerLifecycle_IsJournaledAsTheChangesOfItsAddressAlone()
    {
        var other = IPAddress.Parse("10.11.0.9");
        _harness.Ledger.RecordAllocated(other, "uuid-9", pool: null);
        _harness.Ledger.RecordAllocated(Address, "uuid-1", pool: null);
        _harness.Ledger.Claim(Address, "ep1");
        _harness.Ledger.EndpointGone("ep1");
        _harness.Ledger.TrySettleReleasedClaim(Address);

        var lines = File.ReadAllLines(Path.Combine(_harness.StateDirectory, PluginServiceCollectionExtensions.AddressStateFile));
        var restarted = _harness.NewLedger();
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(5), "the process's first write is a snapshot, then one record a change");
            Assert.That(lines.Skip(1), Has.All.StartWith($"[\"{Address}\",{{").And.All.Not.Contain(other.ToString()));
            Assert.That((restarted.ExpiringCount, restarted.ExpirationUuidOf(other)), Is.EqualTo((1, "uuid-9")));
            Assert.That(restarted.TrySettleReleasedClaim(Address), Is.False, "the settled claim stays settled");
        });
    }

    [Test]
    public void Claims_AreOnDiskForTheNextInstance()
    {
        _harness.Ledger.Claim(Address, "ep1");
        _harness.Ledger.EndpointGone("ep1");

        Assert.That(_harness.NewLedger().TrySettleReleasedClaim(Address), Is.True);
    }
}
