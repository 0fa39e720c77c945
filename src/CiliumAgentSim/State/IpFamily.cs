namespace CiliumAgentSim.State;

internal enum IpFamily
{
    IPv4,
    IPv6,
}

internal static class IpFamilyNames
{
    public static string Name(this IpFamily family) => family == IpFamily.IPv4 ? "IPv4" : "IPv6";

    public static IpFamily Of(System.Net.IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? IpFamily.IPv4 : IpFamily.IPv6;
}
