using System.Runtime.InteropServices;
using System.Text;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>
/// Writes one rtnetlink request: the nlmsghdr, a family header (ifinfomsg) and attributes, 4-byte aligned in host
/// byte order as the kernel expects. The sequence number is stamped by <see cref="NetlinkSocket"/> when it sends.
/// </summary>
internal sealed class NetlinkMessageBuilder
{
    public const int HeaderLength = 16;      // sizeof(struct nlmsghdr)
    public const int IfInfoLength = 16;      // sizeof(struct ifinfomsg)
    private const int AttributeHeaderLength = 4;

    private byte[] _buffer = new byte[256];
    private int _length;

    public NetlinkMessageBuilder(ushort type, ushort flags)
    {
        Type = type;
        _length = HeaderLength;
        MemoryMarshal.Write(_buffer.AsSpan(4), type);
        MemoryMarshal.Write(_buffer.AsSpan(6), (ushort)(flags | MessageFlags.Request));
    }

    public ushort Type { get; }

    /// <summary>A struct ifinfomsg (family AF_UNSPEC): at the message start, or inside VETH_INFO_PEER.</summary>
    public NetlinkMessageBuilder IfInfo(int index = 0, uint flags = 0, uint change = 0)
    {
        var span = Reserve(IfInfoLength);
        MemoryMarshal.Write(span[4..], index);
        MemoryMarshal.Write(span[8..], flags);
        MemoryMarshal.Write(span[12..], change);
        return this;
    }

    public NetlinkMessageBuilder Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        var span = Reserve(AttributeHeaderLength + value.Length);
        MemoryMarshal.Write(span, checked((ushort)(AttributeHeaderLength + value.Length)));
        MemoryMarshal.Write(span[2..], type);
        value.CopyTo(span[AttributeHeaderLength..]);
        Align();
        return this;
    }

    public NetlinkMessageBuilder Attribute(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(uint)];
        MemoryMarshal.Write(bytes, value);
        return Attribute(type, bytes);
    }

    /// <summary>A NUL-terminated string attribute, as IFLA_IFNAME and IFLA_INFO_KIND are.</summary>
    public NetlinkMessageBuilder Attribute(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return Attribute(type, bytes);
    }

    /// <summary>Opens a nested attribute; everything written until <see cref="EndNested"/> becomes its payload.</summary>
    public int BeginNested(ushort type)
    {
        var start = _length;
        var span = Reserve(AttributeHeaderLength);
        MemoryMarshal.Write(span[2..], type);
        return start;
    }

    public NetlinkMessageBuilder EndNested(int start)
    {
        MemoryMarshal.Write(_buffer.AsSpan(start), checked((ushort)(_length - start)));
        return this;
    }

    /// <summary>The finished message with its length and <paramref name="sequence"/> filled in.</summary>
    public ReadOnlySpan<byte> Complete(uint sequence)
    {
        MemoryMarshal.Write(_buffer.AsSpan(0), (uint)_length);
        MemoryMarshal.Write(_buffer.AsSpan(8), sequence);
        return _buffer.AsSpan(0, _length);
    }

    // The buffer only grows and is written once, so the bytes that pad attributes to 4 stay zero.
    private Span<byte> Reserve(int count)
    {
        var needed = Align4(_length + count);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }

    private void Align() => _length = Align4(_length);

    internal static int Align4(int value) => (value + 3) & ~3;
}
