using System.Text.Json.Serialization;

namespace CiliumDocker.Protocol;

/// <summary>
/// Docker's plugin JSON. Reading is case-insensitive like Go's decoder; writing uses the exact Go field names.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ActivateResponse))]
[JsonSerializable(typeof(PluginErrorResponse))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(NetworkCapabilitiesResponse))]
[JsonSerializable(typeof(CreateNetworkRequest))]
[JsonSerializable(typeof(NetworkRequest))]
[JsonSerializable(typeof(CreateEndpointRequest))]
[JsonSerializable(typeof(CreateEndpointResponse))]
[JsonSerializable(typeof(EndpointRequest))]
[JsonSerializable(typeof(EndpointOperInfoResponse))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(JoinResponse))]
[JsonSerializable(typeof(DiscoveryRequest))]
[JsonSerializable(typeof(IpamCapabilitiesResponse))]
[JsonSerializable(typeof(AddressSpacesResponse))]
[JsonSerializable(typeof(RequestPoolRequest))]
[JsonSerializable(typeof(RequestPoolResponse))]
[JsonSerializable(typeof(ReleasePoolRequest))]
[JsonSerializable(typeof(RequestAddressRequest))]
[JsonSerializable(typeof(RequestAddressResponse))]
[JsonSerializable(typeof(ReleaseAddressRequest))]
internal sealed partial class DockerJsonContext : JsonSerializerContext;
