namespace CiliumDocker.Hosting;

/// <summary>
/// When the plugin stops: on SIGTERM, SIGINT or SIGQUIT (Docker sends SIGTERM on <c>docker plugin disable</c>), or
/// when a background service cannot start. Requests after the first change nothing.
/// </summary>
internal sealed class PluginLifetime : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private string? _stopReason;

    /// <summary>Cancelled once the plugin is told to stop.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Why the plugin stops, for its log; null while it runs.</summary>
    public string? StopReason => Volatile.Read(ref _stopReason);

    public void StopApplication(string reason)
    {
        if (Interlocked.CompareExchange(ref _stopReason, reason, null) is null)
        {
            _stopping.Cancel();
        }
    }

    public void Dispose() => _stopping.Dispose();
}
