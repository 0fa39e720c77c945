using System.Net;
using CiliumDocker.Addresses;
using NUnit.Framework;

namespace CiliumDocker.Tests.Addresses;

internal sealed class SubnetCursorTests
{
    [Test]
    public void Candidates_IPv4Subnet_SkipNetworkAndBroadcastAndWrapAround()
    {
        var cursor = new SubnetCursor();
        var subnet = IPNetwork.Parse("10.11.5.0/30");

        var first = cursor.Candidates("p", subnet, subnet, 10).Select(a => a.ToString()).ToList();
        var again = cursor.Candidates("p", subnet, subnet, 1).Select(a => a.ToString()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(new[] { "10.11.5.1", "10.11.5.2" }));
            Assert.That(again, Is.EqualTo(new[] { "10.11.5.1" }));
        });
    }

    [Test]
    public void Candidates_ConsecutiveRequests_ContinueWhereTheLastStopped()
    {
        var cursor = new SubnetCursor();
        var subnet = IPNetwork.Parse("10.11.5.0/24");

        var first = cursor.Candidates("p", subnet, subnet, 1).Single();
        var second = cursor.Candidates("p", subnet, subnet, 1).Single();
        var otherPool = cursor.Candidates("q", subnet, subnet, 1).Single();

        Assert.That((first.ToString(), second.ToString(), otherPool.ToString()), Is.EqualTo(("10.11.5.1", "10.11.5.2", "10.11.5.1")));
    }

    [Test]
    public void Candidates_RangeInsideSubnet_StayInTheRange()
    {
        var cursor = new SubnetCursor();

        var candidates = cursor.Candidates("p", IPNetwork.Parse("10.11.5.252/30"), IPNetwork.Parse("10.11.5.0/24"), 10).Select(a => a.ToString());

        Assert.That(candidates, Is.EqualTo(new[] { "10.11.5.252", "10.11.5.253", "10.11.5.254" }));
    }

    [Test]
    public void Candidates_IPv6_SkipOnlyTheSubnetRouterAnycast()
    {
        var cursor = new SubnetCursor();
        var subnet = IPNetwork.Parse("fd00:11::/126");

        var candidates = cursor.Candidates("p", subnet, subnet, 10).Select(a => a.ToString());

        Assert.That(candidates, Is.EqualTo(new[] { "fd00:11::1", "fd00:11::2", "fd00:11::3" }));
    }

    [Test]
    public void Candidates_SingleAddressSubnet_OffersThatAddress()
    {
        var subnet = IPNetwork.Parse("10.11.5.9/32");

        Assert.That(new SubnetCursor().Candidates("p", subnet, subnet, 10).Select(a => a.ToString()), Is.EqualTo(new[] { "10.11.5.9" }));
    }
}
