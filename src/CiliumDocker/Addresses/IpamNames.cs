namespace CiliumDocker.Addresses;

/// <summary>Names Docker stores with each network; they must stay stable across plugin versions.</summary>
internal static class IpamNames
{
    public const string LocalAddressSpace = "CiliumLocal";
    public const string GlobalAddressSpace = "CiliumGlobal";

    /// <summary>Owner recorded at the agent for every address this plugin allocates.</summary>
    public const string Owner = "docker-ipam";
}
