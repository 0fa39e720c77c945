namespace CiliumDocker.Datapath.Netlink;

/// <summary>The link requests the datapath needs, one rtnetlink round trip each.</summary>
internal sealed class LinkOperations(NetlinkSocket socket)
{
    /// <summary>
    /// Creates both ends of a veth pair in one RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL: either both exist
    /// afterwards or neither does. EEXIST when either name is taken.
    /// </summary>
    public void CreateVeth(VethSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var message = new NetlinkMessageBuilder(MessageType.NewLink, MessageFlags.Ack | MessageFlags.Create | MessageFlags.Excl)
            .IfInfo();
        AddEnd(message, spec.HostName, spec.HostMac, spec.Mtu, spec.TxQueueLength);

        var linkInfo = message.BeginNested(Ifla.LinkInfo);
        message.Attribute(LinkInfoAttribute.Kind, "veth");
        var data = message.BeginNested(LinkInfoAttribute.Data);
        var peer = message.BeginNested(LinkInfoAttribute.VethPeer);
        message.IfInfo();
        AddEnd(message, spec.PeerName, spec.PeerMac, spec.Mtu, spec.TxQueueLength);
        message.EndNested(peer).EndNested(data).EndNested(linkInfo);

        socket.Request(message);
    }

    /// <summary>The link called <paramref name="name"/>, or null when there is none (ENODEV).</summary>
    public LinkInfo? GetLinkByName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var message = new NetlinkMessageBuilder(MessageType.GetLink, MessageFlags.Ack)
            .IfInfo()
            .Attribute(Ifla.IfName, name);
        try
        {
            var replies = socket.Request(message);
            var link = replies.Find(r => r.Type == MessageType.NewLink)
                ?? throw new InvalidDataException($"RTM_GETLINK {name} was acknowledged without an RTM_NEWLINK reply");
            return LinkInfo.Parse(link.Payload.Span);
        }
        catch (NetlinkException e) when (e.FromKernel && e.Errno == Errno.ENODEV)
        {
            return null;
        }
    }

    /// <summary>Applies <paramref name="settings"/> to the link <paramref name="name"/> in one RTM_SETLINK.</summary>
    public void Configure(string name, LinkSettings settings)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var up = settings.Up ? InterfaceFlags.Up : 0;
        var message = new NetlinkMessageBuilder(MessageType.SetLink, MessageFlags.Ack)
            .IfInfo(flags: up, change: up)
            .Attribute(Ifla.IfName, name);
        AddOffload(message, Ifla.GroMaxSize, settings.Offload.GroMaxSize);
        AddOffload(message, Ifla.GsoMaxSize, settings.Offload.GsoMaxSize);
        AddOffload(message, Ifla.GroIPv4MaxSize, settings.Offload.GroIPv4MaxSize);
        AddOffload(message, Ifla.GsoIPv4MaxSize, settings.Offload.GsoIPv4MaxSize);

        if (settings.RpFilter is { } rpFilter)
        {
            // /proc/sys is read-only inside a managed plugin; IPv4 devconf entries can be written through netlink.
            var afSpec = message.BeginNested(Ifla.AfSpec);
            var inet = message.BeginNested(InetAttribute.AfInet);
            var conf = message.BeginNested(InetAttribute.Conf);
            message.Attribute(InetAttribute.DevConfRpFilter, (uint)rpFilter);
            message.EndNested(conf).EndNested(inet).EndNested(afSpec);
        }

        socket.Request(message);
    }

    /// <summary>Deletes the link <paramref name="name"/> (for a veth, both ends). False when there was none.</summary>
    public bool DeleteLink(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var message = new NetlinkMessageBuilder(MessageType.DeleteLink, MessageFlags.Ack)
            .IfInfo()
            .Attribute(Ifla.IfName, name);
        try
        {
            socket.Request(message);
            return true;
        }
        catch (NetlinkException e) when (e.FromKernel && e.Errno == Errno.ENODEV)
        {
            return false;
        }
    }

    private static void AddEnd(NetlinkMessageBuilder message, string name, byte[] mac, uint mtu, uint txQueueLength)
    {
        message.Attribute(Ifla.IfName, name).Attribute(Ifla.Address, mac).Attribute(Ifla.TxQueueLength, txQueueLength);
        if (mtu > 0)
        {
            message.Attribute(Ifla.Mtu, mtu);
        }
    }

    private static void AddOffload(NetlinkMessageBuilder message, ushort attribute, long size)
    {
        if (size > 0)
        {
            message.Attribute(attribute, checked((uint)size));
        }
    }
}

/// <summary>Both ends of a veth pair as created: names, MACs (6 bytes each), MTU (0 = kernel default), txqueuelen.</summary>
internal sealed record VethSpec(string HostName, byte[] HostMac, string PeerName, byte[] PeerMac, uint Mtu, uint TxQueueLength);

/// <param name="Up">Set IFF_UP.</param>
/// <param name="RpFilter">net.ipv4.conf.NAME.rp_filter, or null to leave it.</param>
/// <param name="Offload">GRO/GSO maximum sizes; zeros are left alone.</param>
internal readonly record struct LinkSettings(bool Up, int? RpFilter, OffloadSizes Offload);
