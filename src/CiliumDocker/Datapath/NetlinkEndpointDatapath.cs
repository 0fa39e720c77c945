using CiliumDocker.Datapath.Netlink;

namespace CiliumDocker.Datapath;

/// <summary>
/// The container's veth pair, made through rtnetlink as the original plugin made it with vishvananda/netlink:
/// <c>lxc…</c> stays on the host, up, with rp_filter 0; the temporary <c>tmp…</c> end waits for Docker to move it
/// into the container.
/// </summary>
internal sealed partial class NetlinkEndpointDatapath : IEndpointDatapath, IDisposable
{
    /// <summary>
    /// Concurrent operations, each on a socket of its own. bench/Datapath measured one shared socket at the speed
    /// of sequential calls, while 8 or more overlap the kernel's per-deletion waits (see its README).
    /// </summary>
    public const int DefaultMaxSockets = 8;

    private const uint TxQueueLength = 1000;

    private readonly ILogger _logger;
    private readonly NetlinkSocketPool _sockets;

    public NetlinkEndpointDatapath(ILogger<NetlinkEndpointDatapath> logger)
        : this(logger, networkNamespacePath: null, DefaultMaxSockets)
    {
    }

    /// <param name="logger">Where pairs made and removed are logged.</param>
    /// <param name="networkNamespacePath">
    /// A bound network namespace (<c>/var/run/netns/NAME</c>) to work in instead of the process's own, or null.
    /// </param>
    /// <param name="maxSockets">How many operations may talk to the kernel at once.</param>
    internal NetlinkEndpointDatapath(ILogger<NetlinkEndpointDatapath> logger, string? networkNamespacePath, int maxSockets)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _sockets = new NetlinkSocketPool(
            networkNamespacePath is null ? NetlinkSocket.Open : () => NetworkNamespace.Run(networkNamespacePath, NetlinkSocket.Open),
            maxSockets);
    }

    /// <summary>
    /// Cancellation is honoured while waiting for a socket; once the pair is requested the call finishes or rolls
    /// back, so that no half-made pair is left behind.
    /// </summary>
    public async Task<VethPair> CreateAsync(VethRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.EndpointId);
        var hostName = VethNames.Host(request.EndpointId);
        var containerName = VethNames.Container(request.EndpointId);
        var pairName = $"{hostName}/{containerName}";
        var spec = new VethSpec(
            hostName,
            MacAddresses.NewLocallyAdministered(),
            containerName,
            ContainerMac(request, pairName),
            ValidMtu(request.Mtu, pairName),
            TxQueueLength);
        ValidateOffload(request.Offload, pairName);

        using var lease = await RentAsync(pairName, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        return Create(new LinkOperations(lease.Socket), spec, request.Offload);
    }

    public async Task DeleteAsync(string endpointId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        var hostName = VethNames.Host(endpointId);
        using var lease = await RentAsync(hostName, cancellationToken);
        try
        {
            if (new LinkOperations(lease.Socket).DeleteLink(hostName))
            {
                LogDeleted(_logger, hostName);
            }
            else
            {
                LogAlreadyGone(_logger, hostName);
            }
        }
        catch (NetlinkException e)
        {
            throw new DatapathException($"unable to delete veth pair {hostName}: {Describe(e)}", e);
        }
    }

    public void Dispose() => _sockets.Dispose();

    private VethPair Create(LinkOperations links, VethSpec spec, OffloadSizes offload)
    {
        var (hostName, containerName) = (spec.HostName, spec.PeerName);
        var pairName = $"{hostName}/{containerName}";
        try
        {
            links.CreateVeth(spec);
        }
        catch (NetlinkException e) when (e.FromKernel)
        {
            throw new DatapathException($"unable to create veth pair {pairName}: {CreateFailure(links, e, spec)}", e);
        }
        catch (Exception e)
        {
            // The socket failed before the kernel's answer arrived: the pair may exist.
            RollBack(links, hostName);
            throw new DatapathException($"unable to create veth pair {pairName}: {Describe(e)}", e);
        }

        try
        {
            links.Configure(hostName, new LinkSettings(Up: true, RpFilter: 0, offload));
            if (HasOffload(offload))
            {
                links.Configure(containerName, new LinkSettings(Up: false, RpFilter: null, offload));
            }

            var host = links.GetLinkByName(hostName)
                ?? throw new DatapathException($"{hostName} disappeared right after it was created");
            LogCreated(_logger, hostName, host.Index, containerName);
            return new VethPair(hostName, host.Index, host.Mac, containerName, MacAddresses.Format(spec.PeerMac));
        }
        catch (Exception e)
        {
            RollBack(links, hostName);
            throw new DatapathException($"unable to set up veth pair {pairName}: {Describe(e)}", e);
        }
    }

    private async ValueTask<NetlinkSocketPool.Lease> RentAsync(string subject, CancellationToken cancellationToken)
    {
        try
        {
            return await _sockets.RentAsync(cancellationToken);
        }
        catch (NetlinkException e)
        {
            throw new DatapathException($"unable to open a netlink socket for {subject}: {e.Message}", e);
        }
    }

    private void RollBack(LinkOperations links, string hostName)
    {
        try
        {
            // Deleting one end of a veth removes the other.
            links.DeleteLink(hostName);
        }
        catch (NetlinkException e)
        {
            LogRollBackFailed(_logger, e, hostName);
        }
    }

    // EEXIST names the culprit, so that the message says which interface to look at. The kernel explains few
    // EINVALs at creation (an MTU the veth cannot take gets none), so the requested MTU is repeated.
    private static string CreateFailure(LinkOperations links, NetlinkException e, VethSpec spec)
    {
        if (e.Errno == Errno.EINVAL && e.KernelMessage is null && spec.Mtu > 0)
        {
            return $"{e.Reason} with MTU {spec.Mtu}";
        }

        if (e.Errno != Errno.EEXIST)
        {
            return Describe(e);
        }

        string taken;
        try
        {
            taken = links.GetLinkByName(spec.HostName) is not null ? spec.HostName : spec.PeerName;
        }
        catch (NetlinkException)
        {
            // Only the explanation is lost; the EEXIST itself stands.
            return "interface name already exists (EEXIST)";
        }

        return $"interface name already exists (EEXIST): {taken} is taken; if it was left behind, remove it with 'ip link del {taken}'";
    }

    private static string Describe(Exception e) => e switch
    {
        NetlinkException { Errno: Errno.EPERM or Errno.EACCES } n =>
            $"operation not permitted ({n.ErrnoName}): the plugin needs CAP_NET_ADMIN in the host network namespace",
        NetlinkException n => n.Reason,
        _ => e.Message,
    };

    private static byte[] ContainerMac(VethRequest request, string pairName)
    {
        if (string.IsNullOrEmpty(request.ContainerMac))
        {
            return MacAddresses.NewLocallyAdministered();
        }

        return MacAddresses.TryParseUnicast(request.ContainerMac, out var error)
            ?? throw new DatapathException($"unable to create veth pair {pairName}: invalid container MAC address: {error}");
    }

    private static uint ValidMtu(int mtu, string pairName) =>
        mtu >= 0 ? (uint)mtu : throw new DatapathException($"unable to create veth pair {pairName}: MTU {mtu} is negative");

    private static void ValidateOffload(OffloadSizes offload, string pairName)
    {
        foreach (var (name, size) in new[]
        {
            ("GRO", offload.GroMaxSize), ("GSO", offload.GsoMaxSize),
            ("IPv4 GRO", offload.GroIPv4MaxSize), ("IPv4 GSO", offload.GsoIPv4MaxSize),
        })
        {
            if (size is < 0 or > uint.MaxValue)
            {
                throw new DatapathException($"unable to create veth pair {pairName}: {name} maximum size {size} is out of range");
            }
        }
    }

    private static bool HasOffload(OffloadSizes offload) =>
        offload.GroMaxSize > 0 || offload.GsoMaxSize > 0 || offload.GroIPv4MaxSize > 0 || offload.GsoIPv4MaxSize > 0;

    [LoggerMessage(EventId = 601, Level = LogLevel.Debug, Message = "Created veth pair {HostName} (index {HostIndex}) / {ContainerName}")]
    private static partial void LogCreated(ILogger logger, string hostName, int hostIndex, string containerName);

    [LoggerMessage(EventId = 602, Level = LogLevel.Debug, Message = "Deleted veth pair {HostName}")]
    private static partial void LogDeleted(ILogger logger, string hostName);

    [LoggerMessage(EventId = 603, Level = LogLevel.Debug, Message = "Veth pair {HostName} was already gone")]
    private static partial void LogAlreadyGone(ILogger logger, string hostName);

    [LoggerMessage(EventId = 604, Level = LogLevel.Error, Message = "Could not remove the half-made veth pair {HostName}; remove it with 'ip link del {HostName}'")]
    private static partial void LogRollBackFailed(ILogger logger, Exception exception, string hostName);
}
