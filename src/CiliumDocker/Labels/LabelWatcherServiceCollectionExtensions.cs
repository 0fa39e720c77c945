using Microsoft.Extensions.DependencyInjection;

namespace CiliumDocker.Labels;

internal static class LabelWatcherServiceCollectionExtensions
{
    /// <summary>Registers the Docker events watcher (issue 5/6 fills this in) and its <see cref="ILabelWatcherStatus"/>.</summary>
    /// <param name="dockerHost">The Docker API endpoint, e.g. <c>unix:///var/run/docker.sock</c>.</param>
    public static IServiceCollection AddDockerLabelWatcher(this IServiceCollection services, string dockerHost)
    {
        ArgumentNullException.ThrowIfNull(dockerHost);
        return services.AddSingleton<ILabelWatcherStatus, DisabledLabelWatcher>();
    }

    private sealed class DisabledLabelWatcher : ILabelWatcherStatus
    {
        public LabelWatcherState State => LabelWatcherState.Disabled;

        public long EndpointsLabelled => 0;

        public string? LastError => null;
    }
}
