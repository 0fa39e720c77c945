using CiliumDocker.Hosting;
using NUnit.Framework;

namespace CiliumDocker.Tests.Hosting;

/// <summary><c>--datapath veth|none</c>: none exists so that bench/ can measure the plugin without the kernel's link work.</summary>
internal sealed class DatapathFlagTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Test]
    public void Parse_NoDatapathFlag_CreatesVeths() =>
        Assert.That(CommandLine.Parse([], NoEnvironment).Options!.EndpointDatapath, Is.EqualTo(EndpointDatapathKind.Veth));

    [TestCase("--datapath", "none", EndpointDatapathKind.None)]
    [TestCase("--datapath", "veth", EndpointDatapathKind.Veth)]
    [TestCase("--datapath=none", null, EndpointDatapathKind.None)]
    public void Parse_DatapathFlag_TakesTheMode(string flag, string? value, EndpointDatapathKind expected)
    {
        var result = CommandLine.Parse(value is null ? [flag] : [flag, value], NoEnvironment);

        Assert.That(result.Options?.EndpointDatapath, Is.EqualTo(expected), result.ErrorMessage);
    }

    [TestCase("ipvlan")]
    [TestCase("Veth")]
    public void Parse_UnknownDatapath_FailsNamingTheChoices(string value)
    {
        var result = CommandLine.Parse(["--datapath", value], NoEnvironment);

        Assert.Multiple(() =>
        {
            Assert.That(result.Action, Is.EqualTo(CommandLineAction.Error));
            Assert.That(result.ErrorMessage, Does.Contain(value).And.Contain("veth, none"));
        });
    }

    [Test]
    public void Parse_DatapathWithoutValue_Fails() =>
        Assert.That(CommandLine.Parse(["--datapath"], NoEnvironment).ErrorMessage, Does.Contain("--datapath"));
}
