using System.Text.Json.Serialization;

namespace CiliumDocker.Labels;

[JsonSerializable(typeof(DockerEvent))]
[JsonSerializable(typeof(ContainerInspect))]
[JsonSerializable(typeof(ImageInspect))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(DockerVersion))]
[JsonSerializable(typeof(DockerErrorBody))]
internal sealed partial class DockerApiJsonContext : JsonSerializerContext;
