using CiliumDocker.Bench.Cli;

namespace CiliumDocker.Bench.Tests.Cli;

public sealed class CommandLineTests
{
    [Test]
    public void Parse_ValuesFlagsAndEquals_AreRead()
    {
        var line = CommandLine.Parse(["protocol", "--concurrency", "4", "--lifecycles=10", "--veth"]);
        line.Allow("concurrency", "lifecycles", "veth");

        Assert.Multiple(() =>
        {
            Assert.That(line.Command, Is.EqualTo("protocol"));
            Assert.That(line.PositiveInt("concurrency", 8), Is.EqualTo(4));
            Assert.That(line.PositiveInt("lifecycles", 2000), Is.EqualTo(10));
            Assert.That(line.PositiveInt("warmup", 200), Is.EqualTo(200));
            Assert.That(line.Flag("veth"), Is.True);
        });
    }

    [Test]
    public void Allow_UnknownOption_NamesItAndTheKnownOnes() =>
        Assert.That(() => CommandLine.Parse(["startup", "--run", "3"]).Allow("runs"),
            Throws.InstanceOf<UsageException>().With.Message.Contains("--run").And.Message.Contains("--runs"));

    [TestCase("0")]
    [TestCase("-3")]
    [TestCase("many")]
    public void PositiveInt_NotAPositiveNumber_Throws(string value) =>
        Assert.That(() => CommandLine.Parse(["startup", "--runs=" + value]).PositiveInt("runs", 20),
            Throws.InstanceOf<UsageException>().With.Message.Contains("positive"));

    [Test]
    public void Flag_WithAValue_Throws() =>
        Assert.That(() => CommandLine.Parse(["protocol", "--veth", "yes"]).Flag("veth"), Throws.InstanceOf<UsageException>());

    [Test]
    public void Parse_NoSubcommand_Throws() =>
        Assert.That(() => CommandLine.Parse(["--runs", "3"]), Throws.InstanceOf<UsageException>().With.Message.Contains("subcommand"));

    [Test]
    public void Parse_OptionTwice_Throws() =>
        Assert.That(() => CommandLine.Parse(["startup", "--runs", "3", "--runs", "4"]), Throws.InstanceOf<UsageException>().With.Message.Contains("twice"));

    [Test]
    public void Parse_StrayValue_Throws() =>
        Assert.That(() => CommandLine.Parse(["startup", "3"]), Throws.InstanceOf<UsageException>());
}
