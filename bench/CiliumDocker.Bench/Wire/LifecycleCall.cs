namespace CiliumDocker.Bench.Wire;

/// <summary>The calls Docker makes to the plugin for one container's life on a plugin network, in order.</summary>
internal enum LifecycleCall
{
    RequestAddress,
    CreateEndpoint,
    Join,
    EndpointOperInfo,
    Leave,
    DeleteEndpoint,
    ReleaseAddress,
}
