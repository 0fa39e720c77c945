using CiliumDocker.Bench.Processes;

namespace CiliumDocker.Bench.Tests.Processes;

public sealed class PluginCommandTests
{
    private const string Plugins = "/tmp/cb-1/plugin/plugins";
    private const string State = "/tmp/cb-1/plugin/state";
    private const string Agent = "/tmp/cb-1/sim/cilium.sock";
    private const string NoDocker = "/tmp/cb-1/plugin/no-docker.sock";

    [Test]
    public void Ours_WithoutVeth_RunsWithDatapathNone()
    {
        var command = PluginCommand.For(PluginKind.Ours, "/bin/ours", Plugins, State, Agent, NoDocker, withVeth: false);

        Assert.Multiple(() =>
        {
            Assert.That(command.FileName, Is.EqualTo("/bin/ours"));
            Assert.That(command.Arguments, Is.EqualTo(new[]
            {
                "--docker-plugins", Plugins, "--cilium-api", "unix://" + Agent, "--state-dir", State,
                "--docker-host-path", "unix://" + NoDocker, "--datapath", "none",
            }));
            Assert.That(command.SocketPath, Is.EqualTo(Plugins + "/cilium.sock"));
        });
    }

    [Test]
    public void Ours_WithVeth_LeavesTheDefaultDatapath() =>
        Assert.That(PluginCommand.For(PluginKind.Ours, "/bin/ours", Plugins, State, Agent, NoDocker, withVeth: true).Arguments, Does.Not.Contain("--datapath"));

    [Test]
    public void Original_TakesOnlyTheFlagsItKnows()
    {
        var command = PluginCommand.For(PluginKind.Original, "/bin/original", Plugins, State, Agent, NoDocker, withVeth: true);

        Assert.Multiple(() =>
        {
            // No --state-dir, no --datapath (the Go binary's cobra would reject them) and no -D (debug logs every request).
            Assert.That(command.Arguments, Is.EqualTo(new[]
            {
                "--docker-plugins", Plugins, "--cilium-api", "unix://" + Agent, "--docker-host-path", "unix://" + NoDocker,
            }));
            Assert.That(command.SocketPath, Is.EqualTo(Plugins + "/cilium.sock"));
        });
    }

    [Test]
    public void Original_WithoutVeth_Throws() =>
        Assert.That(() => PluginCommand.For(PluginKind.Original, "/bin/original", Plugins, State, Agent, NoDocker, withVeth: false),
            Throws.ArgumentException.With.Message.Contains("always creates veth"));

    [Test]
    public void InNamespace_ExecsThePluginThroughIpNetns()
    {
        var command = PluginCommand.For(PluginKind.Original, "/bin/original", Plugins, State, Agent, NoDocker, withVeth: true).InNamespace("bench-1");

        Assert.Multiple(() =>
        {
            Assert.That(command.FileName, Is.EqualTo("ip"));
            Assert.That(command.Arguments.Take(4), Is.EqualTo(new[] { "netns", "exec", "bench-1", "/bin/original" }));
            Assert.That(command.Arguments.Skip(4).First(), Is.EqualTo("--docker-plugins"));
            Assert.That(command.SocketPath, Is.EqualTo(Plugins + "/cilium.sock"));
        });
    }

    [Test]
    public void PluginKinds_NamesRoundTrip() =>
        Assert.That(PluginKinds.Names.Select(name => PluginKinds.Parse(name).Name()), Is.EqualTo(new[] { "ours", "original" }));
}
