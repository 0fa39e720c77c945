using System.Security.Cryptography;
using System.Text;
using CiliumDocker.Datapath;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath;

public sealed class Sha256Tests
{
    [TestCase("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [TestCase("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void HashData_FipsVectors_MatchTheStandard(string input, string expected)
    {
        var digest = new byte[Sha256.HashSizeInBytes];

        Sha256.HashData(Encoding.ASCII.GetBytes(input), digest);

        Assert.That(Convert.ToHexStringLower(digest), Is.EqualTo(expected));
    }

    [Test]
    public void HashData_EveryLengthAroundBlockBoundaries_MatchesThePlatformImplementation()
    {
        var random = new Random(7);
        for (var length = 0; length <= 200; length++)
        {
            var input = new byte[length];
            random.NextBytes(input);
            var digest = new byte[Sha256.HashSizeInBytes];

            Sha256.HashData(input, digest);

            Assert.That(digest, Is.EqualTo(SHA256.HashData(input)), $"length {length}");
        }
    }

    [Test]
    public void HashData_DestinationTooSmall_Throws() =>
        Assert.That(() => Sha256.HashData([1, 2, 3], new byte[31]), Throws.ArgumentException);
}
