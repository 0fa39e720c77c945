using System.Runtime.InteropServices;

namespace CiliumDocker.Datapath.Netlink;

/// <summary>What the kernel reports about one link (an RTM_NEWLINK message), limited to what the datapath sets.</summary>
internal sealed record LinkInfo
{
    public required int Index { get; init; }

    public required string Name { get; init; }

    /// <summary>aa:bb:cc:dd:ee:ff, or empty for a link without a hardware address.</summary>
    public required string Mac { get; init; }

    public uint Mtu { get; init; }

    public uint TxQueueLength { get; init; }

    /// <summary>The IFF_* flags.</summary>
    public uint Flags { get; init; }

    public bool IsUp => (Flags & InterfaceFlags.Up) != 0;

    /// <summary>IFLA_INFO_KIND, e.g. "veth"; null for a link without one.</summary>
    public string? Kind { get; init; }

    /// <summary>IFLA_LINK: for a veth, the index of its peer.</summary>
    public int LinkIndex { get; init; }

    public uint GsoMaxSize { get; init; }

    public uint GroMaxSize { get; init; }

    public uint GsoIPv4MaxSize { get; init; }

    public uint GroIPv4MaxSize { get; init; }

    /// <summary>net.ipv4.conf.NAME.rp_filter as the kernel reports it in IFLA_AF_SPEC; null without IPv4.</summary>
    public int? RpFilter { get; init; }

    /// <summary>Reads an RTM_NEWLINK payload: a struct ifinfomsg, then IFLA_* attributes.</summary>
    public static LinkInfo Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < NetlinkMessageBuilder.IfInfoLength)
        {
            throw new InvalidDataException($"RTM_NEWLINK payload of {payload.Length} bytes is shorter than struct ifinfomsg");
        }

        var index = MemoryMarshal.Read<int>(payload[4..]);
        var flags = MemoryMarshal.Read<uint>(payload[8..]);
        string name = "", mac = "";
        string? kind = null;
        uint mtu = 0, txQueueLength = 0, gsoMaxSize = 0, groMaxSize = 0, gsoIPv4MaxSize = 0, groIPv4MaxSize = 0;
        int linkIndex = 0;
        int? rpFilter = null;

        var reader = new RtAttributeReader(payload[NetlinkMessageBuilder.IfInfoLength..]);
        while (reader.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case Ifla.IfName: name = RtAttributeReader.ReadString(value); break;
                case Ifla.Address: mac = MacAddresses.Format(value); break;
                case Ifla.Mtu: mtu = RtAttributeReader.ReadUInt32(value); break;
                case Ifla.TxQueueLength: txQueueLength = RtAttributeReader.ReadUInt32(value); break;
                case Ifla.Link: linkIndex = (int)RtAttributeReader.ReadUInt32(value); break;
                case Ifla.GsoMaxSize: gsoMaxSize = RtAttributeReader.ReadUInt32(value); break;
                case Ifla.GroMaxSize: groMaxSize = RtAttributeReader.ReadUInt32(value); break;
                case Ifla.GsoIPv4MaxSize: gsoIPv4MaxSize = RtAttributeReader.ReadUInt32(value); break;
                case Ifla.GroIPv4MaxSize: groIPv4MaxSize = RtAttributeReader.ReadUInt32(value); break;
                case Ifla.LinkInfo: kind = ReadKind(value); break;
                case Ifla.AfSpec: rpFilter = ReadRpFilter(value); break;
                default: break;
            }
        }

        return new LinkInfo
        {
            Index = index,
            Name = name,
            Mac = mac,
            Flags = flags,
            Mtu = mtu,
            TxQueueLength = txQueueLength,
            Kind = kind,
            LinkIndex = linkIndex,
            GsoMaxSize = gsoMaxSize,
            GroMaxSize = groMaxSize,
            GsoIPv4MaxSize = gsoIPv4MaxSize,
            GroIPv4MaxSize = groIPv4MaxSize,
            RpFilter = rpFilter,
        };
    }

    private static string? ReadKind(ReadOnlySpan<byte> linkInfo)
    {
        var reader = new RtAttributeReader(linkInfo);
        while (reader.TryRead(out var type, out var value))
        {
            if (type == LinkInfoAttribute.Kind)
            {
                return RtAttributeReader.ReadString(value);
            }
        }

        return null;
    }

    private static int? ReadRpFilter(ReadOnlySpan<byte> afSpec)
    {
        var families = new RtAttributeReader(afSpec);
        while (families.TryRead(out var family, out var familyAttributes))
        {
            if (family != InetAttribute.AfInet)
            {
                continue;
            }

            var inet = new RtAttributeReader(familyAttributes);
            while (inet.TryRead(out var type, out var conf))
            {
                var offset = (InetAttribute.DevConfRpFilter - 1) * sizeof(uint);
                if (type == InetAttribute.Conf && conf.Length >= offset + sizeof(uint))
                {
                    return (int)MemoryMarshal.Read<uint>(conf[offset..]);
                }
            }
        }

        return null;
    }
}
