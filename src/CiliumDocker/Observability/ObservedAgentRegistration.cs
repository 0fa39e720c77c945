using CiliumDocker.Cilium;
using Microsoft.Extensions.DependencyInjection;

namespace CiliumDocker.Observability;

internal static class ObservedAgentRegistration
{
    private const string InnerKey = "cilium-docker.observed-agent.inner";

    /// <summary>
    /// Puts <see cref="ObservedCiliumAgent"/> in front of the registered <see cref="ICiliumAgent"/>, so that every
    /// agent call, the configuration monitor's included, reports to <see cref="AgentReachability"/>.
    /// </summary>
    public static IServiceCollection AddAgentObservation(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registered = services.LastOrDefault(descriptor => descriptor.ServiceType == typeof(ICiliumAgent) && !descriptor.IsKeyedService)
            ?? throw new InvalidOperationException("register the Cilium agent client (AddCiliumAgent) before observing it");
        services.Remove(registered);
        services.Add(registered switch
        {
            { ImplementationInstance: { } instance } => ServiceDescriptor.KeyedSingleton(typeof(ICiliumAgent), InnerKey, instance),
            { ImplementationFactory: { } factory } => ServiceDescriptor.KeyedSingleton(typeof(ICiliumAgent), InnerKey, (provider, _) => factory(provider)),
            { ImplementationType: { } type } => ServiceDescriptor.KeyedSingleton(typeof(ICiliumAgent), InnerKey, type),
            _ => throw new InvalidOperationException("the ICiliumAgent registration has no implementation"),
        });

        services.AddSingleton<AgentReachability>();
        services.AddSingleton<ICiliumAgent>(provider => new ObservedCiliumAgent(
            provider.GetRequiredKeyedService<ICiliumAgent>(InnerKey),
            provider.GetRequiredService<AgentReachability>()));
        return services;
    }
}
