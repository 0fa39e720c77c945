using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CiliumAgentSim.Control;
using CiliumAgentSim.Faults;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Model;

/// <summary>Key matching is case-insensitive on input, like Go's encoding/json.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DaemonConfiguration))]
[JsonSerializable(typeof(IpamResponse))]
[JsonSerializable(typeof(EndpointChangeRequest))]
[JsonSerializable(typeof(Endpoint))]
[JsonSerializable(typeof(IReadOnlyList<AgentEndpoint>))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ServiceSpec))]
[JsonSerializable(typeof(Service))]
[JsonSerializable(typeof(IReadOnlyList<Service>))]
[JsonSerializable(typeof(SwaggerError))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(StateDump))]
[JsonSerializable(typeof(FaultRequest))]
[JsonSerializable(typeof(FaultStatus))]
[JsonSerializable(typeof(RestartRequest))]
[JsonSerializable(typeof(ControlError))]
internal sealed partial class SimJsonContext : JsonSerializerContext;

/// <summary>
/// The context the simulator writes with: Go's encoder leaves <c>+</c> and quotes readable (<c>\"</c>), while
/// System.Text.Json's default encoder writes <c>\u002B</c> and <c>\u0022</c>.
/// </summary>
internal static class SimJson
{
    public static SimJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
