namespace CiliumDocker.Ipam;

/// <summary>Names Docker stores with each network; they must stay stable across plugin versions.</summary>
internal static class IpamNames
{
    public const string LocalAddressSpace = "CiliumLocal";
    public const string GlobalAddressSpace = "CiliumGlobal";

    /// <summary>The pool data key through which Docker takes the gateway without asking for it.</summary>
    public const string GatewayDataKey = "com.docker.network.gateway";

    /// <summary>The RequestAddress option key (no prefix) whose value <see cref="GatewayRequestType"/> marks the gateway request.</summary>
    public const string RequestAddressTypeKey = "RequestAddressType";

    public const string GatewayRequestType = "com.docker.network.gateway";

    /// <summary>Owner recorded at the agent for every address this plugin allocates.</summary>
    public const string Owner = "docker-ipam";
}
