using System.Text.Json.Serialization;

namespace CiliumDocker.Agent;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DaemonConfiguration))]
[JsonSerializable(typeof(IpamResponse))]
[JsonSerializable(typeof(EndpointChangeRequest))]
[JsonSerializable(typeof(CiliumEndpoint))]
[JsonSerializable(typeof(List<CiliumEndpoint>))]
[JsonSerializable(typeof(ServiceSpec))]
[JsonSerializable(typeof(List<AgentService>))]
[JsonSerializable(typeof(string))]
internal sealed partial class CiliumJsonContext : JsonSerializerContext;
