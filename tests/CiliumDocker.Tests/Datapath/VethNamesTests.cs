using CiliumDocker.Datapath;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath;

[TestFixture]
internal sealed class VethNamesTests
{
    // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    [Test]
    public void Host_KnownId_IsLxcAndTwelveHexOfSha256() =>
        Assert.That(VethNames.Host("abc"), Is.EqualTo("lxcba7816bf8f01"));

    [Test]
    public void Container_KnownId_IsTmpAndTwelveHexOfSha256() =>
        Assert.That(VethNames.Container("abc"), Is.EqualTo("tmpba7816bf8f01"));

    [Test]
    public void Names_AnyId_FitInIfnamsiz()
    {
        var id = new string('f', 64);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(VethNames.Host(id), Has.Length.EqualTo(15));
            Assert.That(VethNames.Container(id), Has.Length.EqualTo(15));
        }
    }

    [Test]
    public void Container_IdsSharingTheirFirstCharacters_DoNotCollide() =>
        Assert.That(VethNames.Container("abcde0"), Is.Not.EqualTo(VethNames.Container("abcde1")));
}
