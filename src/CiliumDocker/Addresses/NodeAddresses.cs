using System.Net;
using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Addresses;

/// <summary>One address family of the node as the agent reports it.</summary>
/// <param name="Router">The <c>cilium_host</c> address: every container's gateway and next hop.</param>
/// <param name="AllocRange">The range the agent allocates container addresses from; null when not reported.</param>
internal sealed record FamilyAddressing(IpFamily Family, IPAddress Router, IPNetwork? AllocRange);

internal static class NodeAddresses
{
    /// <summary>The family's addressing, or null when the agent has it disabled, absent, or unusable.</summary>
    /// <summary>Whether <paramref name="address"/> is the node's router, which belongs to the agent and is never released.</summary>
    public static bool IsRouter(DaemonConfigurationStatus status, IPAddress address)
        => Find(status, IpPrefixes.FamilyOf(address))?.Router.Equals(address) == true;

    public static FamilyAddressing? Find(DaemonConfigurationStatus status, IpFamily family)
    {
        ArgumentNullException.ThrowIfNull(status);
        var element = Element(status.Addressing, family);
        return element is { Enabled: true } && TryParseRouter(element, family, out var router)
            ? new FamilyAddressing(family, router, ParseRange(element.AllocRange, family))
            : null;
    }

    public static FamilyAddressing Require(DaemonConfigurationStatus status, IpFamily family, string agentEndpoint)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (Find(status, family) is { } found)
        {
            return found;
        }

        var name = IpPrefixes.FamilyName(family);
        var element = Element(status.Addressing, family);
        throw element is { Enabled: true }
            ? new RequestRefusedException(
                $"the Cilium agent at {agentEndpoint} reports an unusable {name} router address \"{element.Ip}\"; check the agent's {name} configuration")
            : new RequestRefusedException(
                $"{name} is not enabled in the Cilium agent at {agentEndpoint}; "
                + (family == IpFamily.IPv6
                    ? "create the network without --ipv6, or enable IPv6 in the agent (enable-ipv6)"
                    : "enable IPv4 in the agent (enable-ipv4)"));
    }

    private static NodeAddressingElement? Element(NodeAddressing? addressing, IpFamily family)
        => family == IpFamily.IPv6 ? addressing?.IPv6 : addressing?.IPv4;

    private static bool TryParseRouter(NodeAddressingElement element, IpFamily family, out IPAddress router)
        => IpPrefixes.TryParseAddress(element.Ip, out router) && IpPrefixes.FamilyOf(router) == family;

    private static IPNetwork? ParseRange(string? text, IpFamily family)
        => IpPrefixes.TryParseNormalized(text, out var range) && IpPrefixes.FamilyOf(range.BaseAddress) == family ? range : null;
}
