using System.Net;
using CiliumDocker.Addresses;
using NUnit.Framework;

namespace CiliumDocker.Tests.Addresses;

internal sealed class IpPrefixesTests
{
    [TestCase("10.11.0.5", true)]
    [TestCase("fd00:11::5", true)]
    [TestCase("10.11", false)]
    [TestCase("010.11.0.5", false)]
    [TestCase("10.11.0.256", false)]
    [TestCase("10.11.0.5.6", false)]
    [TestCase("167772165", false)]
    [TestCase("fe80::1%eth0", false)]
    [TestCase("", false)]
    [TestCase(" 10.11.0.5", false)]
    public void TryParseAddress_AcceptsOnlyWhatGoAccepts(string text, bool expected)
    {
        Assert.That(IpPrefixes.TryParseAddress(text, out _), Is.EqualTo(expected));
    }

    [TestCase("10.11.5.7/24", "10.11.5.0/24")]
    [TestCase("10.11.0.0/16", "10.11.0.0/16")]
    [TestCase("fd00:11::7/112", "fd00:11::/112")]
    [TestCase("0.0.0.0/0", "0.0.0.0/0")]
    public void TryParseNormalized_ClearsHostBits(string text, string expected)
    {
        Assert.That(IpPrefixes.TryParseNormalized(text, out var network) ? network.ToString() : null, Is.EqualTo(expected));
    }

    [TestCase("10.11.5.0/33")]
    [TestCase("10.11.5.0/")]
    [TestCase("/24")]
    [TestCase("10.11.5.0/-1")]
    [TestCase("10.11.5.0/+8")]
    [TestCase("fd00::/129")]
    public void TryParseNormalized_Invalid_IsRejected(string text)
    {
        Assert.That(IpPrefixes.TryParseNormalized(text, out _), Is.False);
    }

    [TestCase("10.11.0.2/32", "10.11.0.2")]
    [TestCase("10.11.0.2", "10.11.0.2")]
    [TestCase("fd00:11::2/128", "fd00:11::2")]
    public void TryParseHost_StripsPrefixLength(string text, string expected)
    {
        Assert.That(IpPrefixes.TryParseHost(text, out var address) ? address.ToString() : null, Is.EqualTo(expected));
    }

    [Test]
    public void HostPrefix_PerFamily_IsSingleAddress()
    {
        Assert.That((IpPrefixes.HostPrefix(IPAddress.Parse("10.11.0.2")), IpPrefixes.HostPrefix(IPAddress.Parse("fd00::2"))), Is.EqualTo(("10.11.0.2/32", "fd00::2/128")));
    }

    [Test]
    public void NumberConversion_RoundTripsBothFamilies()
    {
        var v4 = IPAddress.Parse("10.11.255.254");
        var v6 = IPAddress.Parse("fd00:11::ffff:1");

        Assert.That(
            (IpPrefixes.FromNumber(IpPrefixes.ToNumber(v4) + 1, CiliumDocker.Agent.IpFamily.IPv4), IpPrefixes.FromNumber(IpPrefixes.ToNumber(v6), CiliumDocker.Agent.IpFamily.IPv6)),
            Is.EqualTo((IPAddress.Parse("10.11.255.255"), v6)));
    }
}
