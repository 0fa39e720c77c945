using CiliumDocker.Bench.Benchmarks;
using CiliumDocker.Bench.Cli;
using CiliumDocker.Bench.Processes;

namespace CiliumDocker.Bench.Tests.Cli;

public sealed class PeerOptionsTests
{
    [Test]
    public void Protocol_Defaults_AreOursWithoutVeth()
    {
        var options = Program.ProtocolOptionsFrom(CommandLine.Parse(["protocol"]));

        Assert.That(options, Is.EqualTo(new ProtocolOptions(8, 2000, 200, false, PluginKind.Ours, false)));
    }

    [Test]
    public void Protocol_CompareOriginal_KeepsTheSameLoadForBoth()
    {
        var options = Program.ProtocolOptionsFrom(CommandLine.Parse(["protocol", "--compare-original", "--concurrency", "4", "--lifecycles", "300", "--warmup", "50"]));

        Assert.That(options, Is.EqualTo(new ProtocolOptions(4, 300, 50, false, PluginKind.Ours, true, 1)));
    }

    [Test]
    public void Protocol_Rounds_AreRead() =>
        Assert.That(Program.ProtocolOptionsFrom(CommandLine.Parse(["protocol", "--compare-original", "--rounds", "3"])).Rounds, Is.EqualTo(3));

    [Test]
    public void Protocol_RoundsWithoutCompareOriginal_Throws() =>
        Assert.That(() => Program.ProtocolOptionsFrom(CommandLine.Parse(["protocol", "--rounds", "3"])),
            Throws.InstanceOf<UsageException>().With.Message.Contains("--compare-original"));

    [Test]
    public void Protocol_PluginOriginal_ImpliesVeth()
    {
        var options = Program.ProtocolOptionsFrom(CommandLine.Parse(["protocol", "--plugin", "original"]));

        Assert.Multiple(() =>
        {
            Assert.That(options.Plugin, Is.EqualTo(PluginKind.Original));
            Assert.That(options.WithVeth, Is.True);
            Assert.That(options.CompareOriginal, Is.False);
        });
    }

    [Test]
    public void Protocol_PluginOursWithVeth_IsOursWithVeth()
    {
        var options = Program.ProtocolOptionsFrom(CommandLine.Parse(["protocol", "--plugin=ours", "--veth"]));

        Assert.That((options.Plugin, options.WithVeth), Is.EqualTo((PluginKind.Ours, true)));
    }

    [TestCase("--veth")]
    [TestCase("--plugin", "original")]
    [TestCase("--plugin", "ours")]
    public void Protocol_CompareOriginalWithAChoiceItMakesItself_Throws(params string[] extra) =>
        Assert.That(() => Program.ProtocolOptionsFrom(CommandLine.Parse(["protocol", "--compare-original", .. extra])),
            Throws.InstanceOf<UsageException>().With.Message.Contains("leave out"));

    [Test]
    public void Protocol_UnknownPlugin_NamesTheChoices() =>
        Assert.That(() => Program.ProtocolOptionsFrom(CommandLine.Parse(["protocol", "--plugin", "go"])),
            Throws.InstanceOf<UsageException>().With.Message.Contains("ours, original").And.Message.Contains("'go'"));

    [Test]
    public void Protocol_PluginWithoutValue_Throws() =>
        Assert.That(() => Program.ProtocolOptionsFrom(CommandLine.Parse(["protocol", "--plugin"])), Throws.InstanceOf<UsageException>());

    [Test]
    public void Startup_CompareOriginal_IsRead()
    {
        var options = Program.StartupOptionsFrom(CommandLine.Parse(["startup", "--runs", "5", "--compare-original"]));

        Assert.That(options, Is.EqualTo(new StartupOptions(5, PluginKind.Ours, true)));
    }

    [Test]
    public void Startup_PluginOriginal_IsRead() =>
        Assert.That(Program.StartupOptionsFrom(CommandLine.Parse(["startup", "--plugin", "original"])), Is.EqualTo(new StartupOptions(20, PluginKind.Original, false)));

    [Test]
    public void Startup_Veth_IsNotAnOption() =>
        Assert.That(() => Program.StartupOptionsFrom(CommandLine.Parse(["startup", "--veth"])), Throws.InstanceOf<UsageException>().With.Message.Contains("--veth"));
}
