namespace CiliumDocker.Datapath.Netlink;

// Values from the kernel's uapi headers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/veth.h,
// linux/ip.h). The build machine's headers predate some of them (IFLA_GSO_IPV4_MAX_SIZE came with 6.3), so they
// are written out rather than generated.

/// <summary>nlmsghdr.nlmsg_type values used here.</summary>
internal static class MessageType
{
    public const ushort Noop = 1;           // NLMSG_NOOP
    public const ushort Error = 2;          // NLMSG_ERROR
    public const ushort Done = 3;           // NLMSG_DONE
    public const ushort Overrun = 4;        // NLMSG_OVERRUN
    public const ushort NewLink = 16;       // RTM_NEWLINK
    public const ushort DeleteLink = 17;    // RTM_DELLINK
    public const ushort GetLink = 18;       // RTM_GETLINK
    public const ushort SetLink = 19;       // RTM_SETLINK

    public static string Name(ushort type) => type switch
    {
        NewLink => "RTM_NEWLINK",
        DeleteLink => "RTM_DELLINK",
        GetLink => "RTM_GETLINK",
        SetLink => "RTM_SETLINK",
        _ => "netlink message type " + type,
    };
}

/// <summary>nlmsghdr.nlmsg_flags.</summary>
internal static class MessageFlags
{
    public const ushort Request = 0x01;     // NLM_F_REQUEST
    public const ushort Multi = 0x02;       // NLM_F_MULTI
    public const ushort Ack = 0x04;         // NLM_F_ACK
    public const ushort Excl = 0x200;       // NLM_F_EXCL
    public const ushort Create = 0x400;     // NLM_F_CREATE

    // Flags the kernel sets on an NLMSG_ERROR reply.
    public const ushort Capped = 0x100;     // NLM_F_CAPPED: the echoed request was cut to its header
    public const ushort AckTlvs = 0x200;    // NLM_F_ACK_TLVS: extended ack attributes follow
}

/// <summary>Attributes of an NLMSG_ERROR reply with NETLINK_EXT_ACK on.</summary>
internal static class ExtAck
{
    public const ushort Message = 1;        // NLMSGERR_ATTR_MSG
}

/// <summary>Link attributes (enum IFLA_*).</summary>
internal static class Ifla
{
    public const ushort Address = 1;
    public const ushort IfName = 3;
    public const ushort Mtu = 4;
    public const ushort Link = 5;
    public const ushort TxQueueLength = 13;
    public const ushort LinkInfo = 18;
    public const ushort AfSpec = 26;
    public const ushort GsoMaxSize = 41;
    public const ushort GroMaxSize = 58;
    public const ushort GsoIPv4MaxSize = 63;
    public const ushort GroIPv4MaxSize = 64;
}

/// <summary>IFLA_LINKINFO nested attributes, and the veth driver's data.</summary>
internal static class LinkInfoAttribute
{
    public const ushort Kind = 1;           // IFLA_INFO_KIND
    public const ushort Data = 2;           // IFLA_INFO_DATA
    public const ushort VethPeer = 1;       // VETH_INFO_PEER: an ifinfomsg followed by the peer's IFLA_* attributes
}

/// <summary>IFLA_AF_SPEC for IPv4: a nest per address family, then the devconf array.</summary>
internal static class InetAttribute
{
    public const ushort AfInet = 2;         // AF_INET
    public const ushort Conf = 1;           // IFLA_INET_CONF: u32 per devconf entry, entry i at index i-1
    public const ushort DevConfRpFilter = 8; // IPV4_DEVCONF_RP_FILTER
}

internal static class InterfaceFlags
{
    public const uint Up = 0x1;             // IFF_UP
}
