using System.Net;
using CiliumDocker.Addresses;
using CiliumDocker.Agent;
using NUnit.Framework;

namespace CiliumDocker.Tests.Addresses;

internal sealed class PoolIdTests
{
    [TestCase("CiliumPoolv4")]
    [TestCase("CiliumPoolv6")]
    [TestCase("CiliumPoolv4/10.11.5.0/24")]
    [TestCase("CiliumPoolv4/10.11.5.0/24/10.11.5.128/25")]
    [TestCase("CiliumPoolv6/fd00:11::/120")]
    [TestCase("CiliumPoolv6/fd00:11::/120/fd00:11::80/121")]
    public void TryParse_WhatToStringProduces_RoundTrips(string text)
    {
        Assert.That(PoolId.TryParse(text, out var pool) ? pool.ToString() : null, Is.EqualTo(text));
    }

    [Test]
    public void TryParse_UserSubnet_CarriesFamilySubnetAndRange()
    {
        Assert.That(PoolId.TryParse("CiliumPoolv4/10.11.5.0/24/10.11.5.128/25", out var pool), Is.True);
        Assert.That(pool, Is.EqualTo(new PoolId(IpFamily.IPv4, IPNetwork.Parse("10.11.5.0/24"), IPNetwork.Parse("10.11.5.128/25"))));
    }

    [TestCase(null)]
    [TestCase("CiliumPoolv4/")]
    [TestCase("CiliumPoolv4/10.11.5.0")]
    [TestCase("CiliumPoolv4/10.11.5.0/24/")]
    [TestCase("CiliumPoolv4/10.11.5.0/24/10.11.6.0/25")]
    [TestCase("CiliumPoolv6/10.11.5.0/24")]
    [TestCase("CiliumPoolv4/10.11.5.0/24/10.11.5.128/25/extra")]
    [TestCase("ciliumpoolv4")]
    public void TryParse_AnythingElse_IsRejected(string? text)
    {
        Assert.That(PoolId.TryParse(text, out _), Is.False);
    }
}
