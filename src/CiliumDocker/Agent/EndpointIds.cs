namespace CiliumDocker.Agent;

/// <summary>Agent endpoint id forms (<c>[prefix:]id</c>) the plugin addresses endpoints by.</summary>
internal static class EndpointIds
{
    /// <summary>The agent allocates the numeric id; the plugin always creates through id 0.</summary>
    public const string CreatePath = "cilium-local:0";

    public static string DockerEndpoint(string dockerEndpointId) => "docker-endpoint:" + dockerEndpointId;
}
