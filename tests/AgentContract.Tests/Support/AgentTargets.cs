namespace AgentContract.Tests.Support;

/// <summary>The fixture source: every contract runs once per target, the real agent's run in its own category.</summary>
internal static class AgentTargets
{
    public const string RealAgentCategory = "RealAgent";

    public static IEnumerable<TestFixtureData> All()
    {
        yield return new TestFixtureData(AgentKind.Simulator).SetArgDisplayNames("simulator-1.10");
        yield return new TestFixtureData(AgentKind.Simulator114).SetArgDisplayNames("simulator-1.14");
        var real = new TestFixtureData(AgentKind.Real).SetArgDisplayNames("real-agent");
        real.Properties.Add(NUnit.Framework.Internal.PropertyNames.Category, RealAgentCategory);
        yield return real;
    }
}
