using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CiliumDocker.Cilium;

internal static class CiliumServiceCollectionExtensions
{
    /// <summary>
    /// The agent client (<see cref="ICiliumAgent"/>), its counters, and the configuration monitor, registered once
    /// as <see cref="IAgentConfig"/> and as the hosted service that keeps it fresh.
    /// </summary>
    public static IServiceCollection AddCiliumAgent(this IServiceCollection services, AgentClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.TryAddSingleton<AgentCallStatistics>();
        services.AddSingleton<ICiliumAgent, CiliumAgentClient>();
        services.AddSingleton<AgentConfigMonitor>();
        services.AddSingleton<IAgentConfig>(static provider => provider.GetRequiredService<AgentConfigMonitor>());
        services.AddHostedService(static provider => provider.GetRequiredService<AgentConfigMonitor>());
        return services;
    }
}
