using CiliumDocker.Addresses;
using CiliumDocker.Agent;

namespace CiliumDocker.Protocol;

/// <summary>Docker's <c>IpamDriver.*</c> calls, translated for <see cref="AddressAllocator"/>.</summary>
internal sealed class IpamDriver(AddressAllocator allocator)
{
    /// <summary>The pool data key through which Docker takes the gateway without asking for it.</summary>
    public const string GatewayDataKey = "com.docker.network.gateway";

    /// <summary>The RequestAddress option key (no prefix) whose value <see cref="GatewayRequestType"/> marks the gateway request.</summary>
    public const string RequestAddressTypeKey = "RequestAddressType";

    public const string GatewayRequestType = "com.docker.network.gateway";

    public static IpamCapabilitiesResponse GetCapabilities() => new() { RequiresMacAddress = false, RequiresRequestReplay = false };

    public static AddressSpacesResponse GetDefaultAddressSpaces() => new()
    {
        LocalDefaultAddressSpace = IpamNames.LocalAddressSpace,
        GlobalDefaultAddressSpace = IpamNames.GlobalAddressSpace,
    };

    public async Task<RequestPoolResponse> RequestPoolAsync(RequestPoolRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pool = await allocator.RequestPoolAsync(request.V6 ? IpFamily.IPv6 : IpFamily.IPv4, request.Pool, request.SubPool, cancellationToken);
        return new RequestPoolResponse
        {
            PoolId = pool.Id.ToString(),
            Pool = pool.Range,
            Data = new Dictionary<string, string>(StringComparer.Ordinal) { [GatewayDataKey] = IpPrefixes.HostPrefix(pool.Gateway) },
        };
    }

    public static EmptyResponse ReleasePool(ReleasePoolRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        AddressAllocator.ReleasePool(request.PoolId);
        return EmptyResponse.Instance;
    }

    public async Task<RequestAddressResponse> RequestAddressAsync(RequestAddressRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var gateway = request.Options?.GetValueOrDefault(RequestAddressTypeKey) == GatewayRequestType;
        var address = await allocator.RequestAddressAsync(request.PoolId, request.Address, gateway, cancellationToken);
        return new RequestAddressResponse { Address = IpPrefixes.HostPrefix(address) };
    }

    public async Task<EmptyResponse> ReleaseAddressAsync(ReleaseAddressRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await allocator.ReleaseAddressAsync(request.PoolId, request.Address, cancellationToken);
        return EmptyResponse.Instance;
    }
}
