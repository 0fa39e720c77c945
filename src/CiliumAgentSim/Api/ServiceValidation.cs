using System.Globalization;
using CiliumAgentSim.Model;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Api;

/// <summary>
/// What go-swagger checks before the agent's service handler runs, in its order, answering the first failure only
/// (its composite errors are flattened to the first): body present, numbers in range, then the schema's required
/// fields and enums (backends, flags, frontend), then the path id.
/// </summary>
internal static class ServiceValidation
{
    private const int RequiredCode = 602;
    private const int EnumCode = 606;
    private const int InvalidTypeCode = 601;

    private static readonly string[] Protocols = ["tcp", "udp", "any"];
    private static readonly string[] Scopes = ["external", "internal"];

    /// <summary>Go's <c>uint16</c> fields refuse out-of-range numbers while decoding: a 400 parse error.</summary>
    public static string? OutOfRange(ServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.FrontendAddress?.Port is { } port && !FitsUInt16(port))
        {
            return DecodeError(port, "FrontendAddress.frontend-address.port");
        }

        foreach (var backend in spec.BackendAddresses ?? [])
        {
            if (backend?.Port is { } backendPort && !FitsUInt16(backendPort))
            {
                return DecodeError(backendPort, "BackendAddress.backend-addresses.port");
            }
        }

        return spec.Flags?.HealthCheckNodePort is { } healthPort && !FitsUInt16(healthPort)
            ? DecodeError(healthPort, "ServiceSpecFlags.flags.healthCheckNodePort")
            : null;
    }

    public static (int Code, string Message)? Validate(ServiceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var backend in spec.BackendAddresses ?? [])
        {
            // A null entry is not validated (go-swagger skips zero values); the handler then dereferences it.
            if (backend is not null && backend.Ip is null)
            {
                return (RequiredCode, "ip in body is required");
            }
        }

        if (spec.Flags is { } flags)
        {
            if (!IsEmptyOrOneOf(flags.TrafficPolicy, ServiceTypes.Policies))
            {
                return Enum("flags.trafficPolicy", ServiceTypes.Policies);
            }

            if (!IsEmptyOrOneOf(flags.Type, ServiceTypes.All))
            {
                return Enum("flags.type", ServiceTypes.All);
            }
        }

        if (spec.FrontendAddress is not { } frontend)
        {
            return (RequiredCode, "frontend-address in body is required");
        }

        if (!IsEmptyOrOneOf(frontend.Protocol, Protocols))
        {
            return Enum("protocol", Protocols);
        }

        return IsEmptyOrOneOf(frontend.Scope, Scopes) ? null : Enum("scope", Scopes);
    }

    /// <summary>go-openapi's path binding of an <c>integer</c> id: <c>strconv.ParseInt(s, 10, 64)</c>.</summary>
    public static bool TryParseId(string? text, out long id, out string error)
    {
        error = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out id)
            ? ""
            : $"id in path must be of type int64: \"{text}\"";
        return error.Length == 0;
    }

    public static int IdErrorCode => InvalidTypeCode;

    private static bool FitsUInt16(long value) => value is >= 0 and <= ushort.MaxValue;

    private static string DecodeError(long value, string field) =>
        string.Create(CultureInfo.InvariantCulture, $"json: cannot unmarshal number {value} into Go struct field {field} of type uint16");

    private static bool IsEmptyOrOneOf(string? value, string[] allowed) =>
        string.IsNullOrEmpty(value) || allowed.Contains(value, StringComparer.Ordinal);

    private static (int, string) Enum(string name, string[] allowed) =>
        (EnumCode, $"{name} in body should be one of [{string.Join(' ', allowed)}]");
}
