namespace CiliumAgentSim.State;

/// <summary>
/// Outcome of a service upsert: the agent's answer, and the service as the datapath must now carry it. The two are
/// independent: a PUT refused with 460 (frontend registered under another id) has still updated that other service.
/// </summary>
internal sealed record ServiceChange(int Status, string? Error, ServiceRecord? Realized)
{
    public const int Created = 201;
    public const int Updated = 200;
}
