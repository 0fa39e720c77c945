namespace CiliumAgentSim.Hosting;

/// <summary>Starts and stops with the app; no signal handling of its own.</summary>
internal sealed class ManualLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
