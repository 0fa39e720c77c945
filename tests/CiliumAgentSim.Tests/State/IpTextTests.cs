using CiliumAgentSim.State;

namespace CiliumAgentSim.Tests.State;

internal sealed class IpTextTests
{
    [TestCase("10.11.0.5")]
    [TestCase("0.0.0.0")]
    [TestCase("f00d::a0b:0:0:5")]
    [TestCase("::ffff:10.1.2.3")]
    public void TryParse_GoParseableAddress_Accepts(string text) =>
        Assert.That(IpText.TryParse(text, out _), Is.True);

    [TestCase("10.11.0")]
    [TestCase("1")]
    [TestCase("010.11.0.5")]
    [TestCase("0x0a.11.0.5")]
    [TestCase("10.11.0.256")]
    [TestCase("fe80::1%eth0")]
    [TestCase("")]
    public void TryParse_FormGoRejects_Refuses(string text) =>
        Assert.That(IpText.TryParse(text, out _), Is.False);
}
