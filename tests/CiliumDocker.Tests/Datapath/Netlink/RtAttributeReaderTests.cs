using CiliumDocker.Datapath.Netlink;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath.Netlink;

[TestFixture]
internal sealed class RtAttributeReaderTests
{
    [Test]
    public void TryRead_PaddedAttributes_YieldsEachTypeAndPayload()
    {
        byte[] data =
        [
            5, 0, 1, 0, 0xAB, 0, 0, 0,     // type 1, one byte, three bytes of padding
            8, 0, 2, 0, 1, 2, 3, 4,        // type 2, four bytes
        ];
        var reader = new RtAttributeReader(data);

        var first = reader.TryRead(out var firstType, out var firstPayload);
        var firstBytes = firstPayload.ToArray();
        var second = reader.TryRead(out var secondType, out var secondPayload);
        var secondBytes = secondPayload.ToArray();
        var third = reader.TryRead(out _, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((first, firstType, firstBytes), Is.EqualTo((true, (ushort)1, new byte[] { 0xAB })));
            Assert.That((second, secondType, secondBytes), Is.EqualTo((true, (ushort)2, new byte[] { 1, 2, 3, 4 })));
            Assert.That(third, Is.False);
        }
    }

    [Test]
    public void TryRead_NestedFlagSet_ReportsThePlainType()
    {
        byte[] data = [4, 0, 0x1A, 0x80];   // IFLA_AF_SPEC | NLA_F_NESTED, empty
        var reader = new RtAttributeReader(data);

        reader.TryRead(out var type, out _);

        Assert.That(type, Is.EqualTo(Ifla.AfSpec));
    }

    [TestCase(new byte[] { 3, 0, 1, 0 })]
    [TestCase(new byte[] { 12, 0, 1, 0, 0, 0, 0, 0 })]
    public void TryRead_LengthOutOfBounds_ThrowsInvalidData(byte[] data) =>
        Assert.That(() => new RtAttributeReader(data).TryRead(out _, out _), Throws.TypeOf<InvalidDataException>());

    [Test]
    public void ReadUInt32_ShortPayload_ThrowsInvalidData() =>
        Assert.That(() => RtAttributeReader.ReadUInt32([1, 2]), Throws.TypeOf<InvalidDataException>());

    [Test]
    public void ReadString_WithAndWithoutTerminator_StopsAtTheNul()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RtAttributeReader.ReadString("veth\0\0"u8), Is.EqualTo("veth"));
            Assert.That(RtAttributeReader.ReadString("veth"u8), Is.EqualTo("veth"));
        }
    }
}
