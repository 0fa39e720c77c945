using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Verification;

/// <summary>Runs last (NUnit orders namespaces by name, and Verification sorts after the others): after the whole suite nothing it created may remain, at Docker, at the agent or on the host.</summary>
[TestFixture]
public sealed class LeftoverTests
{
    [Test]
    public void AfterTheSuite_NoPluginNetworkOrContainerOfTheSuiteRemains()
    {
        var plugins = Docker.MustRun("plugin", "ls", "--format", "{{.Name}}");
        var networks = Docker.MustRun("network", "ls", "--format", "{{.Name}}");
        var containers = Docker.MustRun("ps", "-a", "--format", "{{.Names}}");

        Assert.That(plugins, Does.Not.Contain("cilium"));
        Assert.That(Docker.Lines(networks), Is.SubsetOf(new[] { "bridge", "host", "none" }));
        Assert.That(containers, Is.Empty);
    }

    [Test]
    public void AfterTheSuite_NoEndpointOrAddressRemainsAtTheAgent()
    {
        Assert.That(Eventually.Until(() => AgentState.EndpointCount() == 0 && AgentState.AddressesKeptForever().Count == 0, TimeSpan.FromSeconds(20)), Is.True,
            $"endpoints: {AgentState.EndpointCount()}, addresses: {string.Join(", ", AgentState.AddressesKeptForever())}");
    }

    [Test]
    public void AfterTheSuite_NoPublishedPortRemainsAtTheAgent()
    {
        Assert.That(Eventually.Until(() => AgentState.PublishedServices().Count == 0, TimeSpan.FromSeconds(20)), Is.True,
            "services: " + string.Join("; ", AgentState.PublishedServices()));
    }

    [Test]
    public void AfterTheSuite_NoVethRemainsOnTheHost()
    {
        var links = Shell.MustRun("ip", "-o", "link", "show").Output;

        Assert.That(Docker.Lines(links).Where(l => l.Contains(": lxc", StringComparison.Ordinal) || l.Contains(": tmp", StringComparison.Ordinal)), Is.Empty);
    }
}
