using System.Runtime.InteropServices;
using System.Text;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>Walks a run of netlink attributes (struct nlattr, 4-byte aligned), nested or not.</summary>
internal ref struct RtAttributeReader(ReadOnlySpan<byte> data)
{
    // NLA_F_NESTED and NLA_F_NET_BYTEORDER live in the top bits of the type.
    private const ushort TypeMask = 0x3FFF;

    private ReadOnlySpan<byte> _remaining = data;

    /// <summary>The next attribute, or false at the end. Throws <see cref="InvalidDataException"/> on a malformed one.</summary>
    public bool TryRead(out ushort type, out ReadOnlySpan<byte> payload)
    {
        if (_remaining.Length < 4)
        {
            type = 0;
            payload = default;
            return false;
        }

        var length = MemoryMarshal.Read<ushort>(_remaining);
        if (length < 4 || length > _remaining.Length)
        {
            throw new InvalidDataException($"malformed netlink attribute: length {length} with {_remaining.Length} bytes left");
        }

        type = (ushort)(MemoryMarshal.Read<ushort>(_remaining[2..]) & TypeMask);
        payload = _remaining[4..length];
        _remaining = _remaining[Math.Min(NetlinkMessageBuilder.Align4(length), _remaining.Length)..];
        return true;
    }

    public static uint ReadUInt32(ReadOnlySpan<byte> payload) =>
        payload.Length >= sizeof(uint)
            ? MemoryMarshal.Read<uint>(payload)
            : throw new InvalidDataException($"netlink attribute of {payload.Length} bytes where a u32 was expected");

    /// <summary>A string attribute, without its terminating NUL.</summary>
    public static string ReadString(ReadOnlySpan<byte> payload)
    {
        var end = payload.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? payload : payload[..end]);
    }
}
