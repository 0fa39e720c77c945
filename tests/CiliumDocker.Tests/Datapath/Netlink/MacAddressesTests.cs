using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
internal sealed class MacAddressesTests
{
    [Test]
    public void NewLocallyAdministered_Always_IsLocalUnicastAndRandom()
    {
        var macs = Enumerable.Range(0, 256).Select(_ => MacAddresses.NewLocallyAdministered()).ToArray();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(macs.Select(m => m[0] & 0x03), Is.All.EqualTo(0x02));
            Assert.That(macs.Select(m => m.Length), Is.All.EqualTo(6));
            Assert.That(macs.Select(m => MacAddresses.Format(m)).Distinct().Count(), Is.EqualTo(256));
        }
    }

    [TestCase("02:42:ac:11:00:02")]
    [TestCase("02:42:AC:11:00:02")]
    [TestCase("02-42-ac-11-00-02")]
    public void TryParseUnicast_ValidForms_GiveTheBytes(string text)
    {
        var mac = MacAddresses.TryParseUnicast(text, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error, Is.Null);
            Assert.That(mac, Is.EqualTo(new byte[] { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 }));
        }
    }

    [TestCase("", "is not a MAC address")]
    [TestCase("02:42:ac:11:00", "is not a MAC address")]
    [TestCase("02:42:ac:11:00:02:03", "is not a MAC address")]
    [TestCase("2:42:ac:11:00:02", "is not a MAC address")]
    [TestCase("02:42:ac:11:00:g2", "is not a MAC address")]
    [TestCase("02:42-ac:11:00:02", "is not a MAC address")]
    [TestCase("33:33:00:00:00:01", "is a multicast address")]
    [TestCase("ff:ff:ff:ff:ff:ff", "is a multicast address")]
    [TestCase("00:00:00:00:00:00", "is the all-zero address")]
    public void TryParseUnicast_Unusable_GivesNullAndAReason(string text, string reason)
    {
        var mac = MacAddresses.TryParseUnicast(text, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(mac, Is.Null);
            Assert.That(error, Does.Contain(reason));
        }
    }

    [Test]
    public void Format_SixBytes_IsLowerCaseWithColons() =>
        Assert.That(MacAddresses.Format([0x02, 0x42, 0xAC, 0x11, 0x00, 0x0F]), Is.EqualTo("02:42:ac:11:00:0f"));
}
