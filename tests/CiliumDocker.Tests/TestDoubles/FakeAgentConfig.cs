using CiliumDocker.Agent;

namespace CiliumDocker.Tests.TestDoubles;

internal sealed class FakeAgentConfig(TimeProvider timeProvider, DaemonConfigurationStatus? status = null) : IAgentConfig
{
    public const string Socket = "unix:///tmp/fake-agent.sock";

    public AgentConfigSnapshot? Current { get; private set; } = status is null ? null : new AgentConfigSnapshot(status, timeProvider.GetUtcNow());

    public string? LastError { get; set; }

    public void Set(DaemonConfigurationStatus? status)
        => Current = status is null ? null : new AgentConfigSnapshot(status, timeProvider.GetUtcNow());

    public ValueTask<DaemonConfigurationStatus> GetRequiredAsync(CancellationToken cancellationToken)
        => ValueTask.FromResult(Current?.Status ?? throw new CiliumAgentException($"no configuration received yet from the Cilium agent at {Socket}", AgentFailure.Unreachable));
}
