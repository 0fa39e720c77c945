namespace AgentContract.Tests.Support;

/// <summary>What a contract fixture runs against.</summary>
internal enum AgentKind
{
    /// <summary>The simulator as the 1.10 agent the real one is.</summary>
    Simulator,

    /// <summary>The simulator with <c>--agent-version 1.14</c>: behaviour only later Cilium has.</summary>
    Simulator114,

    /// <summary>The Cilium agent of <c>../shared/real-cilium</c>, the reference.</summary>
    Real,
}
