using CiliumDocker.Agent;
using NUnit.Framework;

namespace CiliumDocker.Tests.Agent;

[TestFixture]
internal sealed class AgentPathsTests
{
    [TestCase("cilium-local:0", "cilium-local:0")]
    [TestCase("docker-endpoint:3f1c9a", "docker-endpoint:3f1c9a")]
    [TestCase("f00d::a0f:0:0:1234", "f00d::a0f:0:0:1234")]
    [TestCase("10.15.0.5", "10.15.0.5")]
    [TestCase("fe80::1%eth0", "fe80::1%25eth0")]
    [TestCase("a/b", "a%2Fb")]
    [TestCase("a b?c#d;e,f", "a%20b%3Fc%23d%3Be%2Cf")]
    [TestCase("$&+=@~_-.", "$&+=@~_-.")]
    [TestCase("é", "%C3%A9")]
    [TestCase("..", "%2E%2E")]
    public void EscapeSegment_Value_MatchesGoPathEscape(string segment, string expected)
    {
        Assert.That(AgentPaths.EscapeSegment(segment), Is.EqualTo(expected));
    }

    [Test]
    public void AllocateNext_OwnerWithSpace_IsQueryEscaped()
    {
        Assert.That(AgentPaths.AllocateNext(IpFamily.IPv6, "my owner"), Is.EqualTo("/v1/ipam?family=ipv6&owner=my%20owner"));
    }

    [Test]
    public void FamilyName_UnknownValue_Throws()
    {
        Assert.That(() => AgentPaths.FamilyName((IpFamily)7), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
