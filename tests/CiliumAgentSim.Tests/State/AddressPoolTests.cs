using System.Net;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Tests.State;

internal sealed class AddressPoolTests
{
    [TestCase("10.11.7.9/16", "10.11.0.0/16")]
    [TestCase("f00d::a0b:1:2:3/96", "f00d::a0b:1:0:0/96")]
    [TestCase("192.168.1.1/32", "192.168.1.1/32")]
    public void CidrTryParse_HostBitsSet_NormalisesToNetwork(string text, string expected)
    {
        Assert.That(Cidr.TryParse(text, out var cidr), Is.True);
        Assert.That(cidr!.ToString(), Is.EqualTo(expected));
    }

    [TestCase("10.11.0.0")]
    [TestCase("10.11.0.0/33")]
    [TestCase("10.11.0.0/-1")]
    [TestCase("10.11.0/16")]
    [TestCase("/16")]
    [TestCase("f00d::/129")]
    public void CidrTryParse_Malformed_ReturnsFalse(string text) =>
        Assert.That(Cidr.TryParse(text, out _), Is.False);

    [Test]
    public void AllocateNext_IPv6Range_SkipsNetworkAndRouterOnly()
    {
        var pool = NewPool("f00d::/126", "f00d::1");

        var handed = new[] { pool.AllocateNext(), pool.AllocateNext(), pool.AllocateNext() };

        Assert.That(handed.Select(a => a?.ToString()), Is.EqualTo(new[] { "f00d::2", "f00d::3", null }));
    }

    [Test]
    public void AllocateNext_RouterOutsideRange_UsesWholeHostRange()
    {
        var pool = NewPool("10.0.0.0/30", "192.168.0.1");

        var handed = new[] { pool.AllocateNext(), pool.AllocateNext(), pool.AllocateNext() };

        Assert.That(handed.Select(a => a?.ToString()), Is.EqualTo(new[] { "10.0.0.1", "10.0.0.2", null }));
    }

    [Test]
    public void AllocateNext_AfterRelease_CursorContinuesBeforeReusing()
    {
        var pool = NewPool("10.0.0.0/29", "10.0.0.1");
        var first = pool.AllocateNext()!;
        pool.AllocateNext();

        pool.Release(first);
        var next = pool.AllocateNext();

        Assert.That(next!.ToString(), Is.EqualTo("10.0.0.4"), "a freed address comes back only after a full turn");
    }

    [Test]
    public void Claim_ThenAllocateNext_SkipsClaimedAddress()
    {
        var pool = NewPool("10.0.0.0/29", "10.0.0.1");

        var claim = pool.Claim(IPAddress.Parse("10.0.0.2"));
        var next = pool.AllocateNext();

        Assert.That((claim, next!.ToString()), Is.EqualTo((PoolClaim.Claimed, "10.0.0.3")));
    }

    [Test]
    public void Release_Router_IsRefused()
    {
        var pool = NewPool("10.0.0.0/29", "10.0.0.1");

        Assert.That(pool.Release(IPAddress.Parse("10.0.0.1")), Is.False);
        Assert.That(pool.IsTaken(IPAddress.Parse("10.0.0.1")), Is.True);
    }

    private static AddressPool NewPool(string range, string router)
    {
        Assert.That(Cidr.TryParse(range, out var cidr), Is.True, range);
        return new AddressPool(cidr!, IPAddress.Parse(router));
    }
}
