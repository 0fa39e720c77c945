using CiliumDocker.Cilium;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CiliumDocker.Labels;

internal static class LabelWatcherServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Docker events watcher as a hosted service and as <see cref="ILabelWatcherStatus"/> (one
    /// instance). It needs an <see cref="ICiliumAgent"/> registered by the host. An empty
    /// <paramref name="dockerHost"/> turns labelling off; the status then reports it disabled.
    /// </summary>
    /// <param name="dockerHost">The Docker API endpoint: <c>unix:///var/run/docker.sock</c> or <c>tcp://host:port</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="dockerHost"/> is neither form.</exception>
    public static IServiceCollection AddDockerLabelWatcher(this IServiceCollection services, string dockerHost, DockerLabelWatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(dockerHost);
        if (string.IsNullOrWhiteSpace(dockerHost))
        {
            return services.AddSingleton<ILabelWatcherStatus, DisabledLabelWatcher>();
        }

        // Parsed now, so a typo fails the plugin's start with a clear message instead of a silent loop later.
        var host = DockerHost.Parse(dockerHost);
        var watcherOptions = options ?? new DockerLabelWatcherOptions();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new DockerLabelWatcher(
            host,
            sp.GetRequiredService<ICiliumAgent>(),
            watcherOptions,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DockerLabelWatcher>>()));
        services.AddSingleton<ILabelWatcherStatus>(sp => sp.GetRequiredService<DockerLabelWatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<DockerLabelWatcher>());
        return services;
    }

    private sealed class DisabledLabelWatcher : ILabelWatcherStatus
    {
        public LabelWatcherState State => LabelWatcherState.Disabled;

        public long EndpointsLabelled => 0;

        public string? LastError => "no Docker host configured";
    }
}
