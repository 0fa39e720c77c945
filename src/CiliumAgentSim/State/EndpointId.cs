using System.Globalization;

namespace CiliumAgentSim.State;

internal enum EndpointIdKind
{
    CiliumLocal,
    CniAttachmentId,
    ContainerId,
    ContainerName,
    PodName,
    CepName,
    DockerEndpoint,
    IPv4,
    IPv6,
}

/// <summary>
/// The agent's <c>[prefix:]id</c> endpoint reference. A bare value means <c>cilium-local:</c>; only the first
/// colon separates the prefix, so <c>ipv6:f00d::1</c> keeps its colons.
/// </summary>
internal readonly record struct EndpointId(EndpointIdKind Kind, string Value)
{
    public const ushort MaxLocalId = ushort.MaxValue;

    private static readonly Dictionary<string, EndpointIdKind> Prefixes = new(StringComparer.Ordinal)
    {
        ["cilium-local"] = EndpointIdKind.CiliumLocal,
        ["cni-attachment-id"] = EndpointIdKind.CniAttachmentId,
        ["container-id"] = EndpointIdKind.ContainerId,
        ["container-name"] = EndpointIdKind.ContainerName,
        ["pod-name"] = EndpointIdKind.PodName,
        ["cep-name"] = EndpointIdKind.CepName,
        ["docker-endpoint"] = EndpointIdKind.DockerEndpoint,
        ["ipv4"] = EndpointIdKind.IPv4,
        ["ipv6"] = EndpointIdKind.IPv6,
    };

    /// <summary>Numeric id for <see cref="EndpointIdKind.CiliumLocal"/>.</summary>
    public long LocalId => long.Parse(Value, CultureInfo.InvariantCulture);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> is the agent's 400 message.</summary>
    public static bool TryParse(string text, out EndpointId id, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        id = default;
        error = "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var prefix = colon < 0 ? "cilium-local" : text[..colon];
        var value = colon < 0 ? text : text[(colon + 1)..];

        if (prefix == "cilium-global")
        {
            error = "unsupported endpoint ID prefix \"cilium-global\"";
            return false;
        }

        if (!Prefixes.TryGetValue(prefix, out var kind))
        {
            error = $"unknown endpoint ID prefix \"{prefix}\"";
            return false;
        }

        if (kind == EndpointIdKind.CiliumLocal)
        {
            if (!ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                error = $"invalid numeric cilium id \"{value}\": must be an integer between 0 and {MaxLocalId}";
                return false;
            }

            value = number.ToString(CultureInfo.InvariantCulture);
        }
        else if (value.Length == 0)
        {
            error = $"empty endpoint ID after prefix \"{prefix}\"";
            return false;
        }

        id = new EndpointId(kind, value);
        return true;
    }
}
