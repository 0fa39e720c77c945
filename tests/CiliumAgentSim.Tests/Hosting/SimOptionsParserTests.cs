using CiliumAgentSim.Hosting;

namespace CiliumAgentSim.Tests.Hosting;

internal sealed class SimOptionsParserTests
{
    [Test]
    public void Parse_NoArguments_UsesSeedDefaults()
    {
        var options = SimOptionsParser.Parse([]).Options!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.SocketPath, Is.EqualTo("/var/run/cilium/cilium.sock"));
            Assert.That(options.ResolvedControlSocketPath, Is.EqualTo("/var/run/cilium/cilium-sim-control.sock"));
            Assert.That(options.IPv4Range!.ToString(), Is.EqualTo("10.11.0.0/16"));
            Assert.That(options.ResolvedRouterIPv4!.ToString(), Is.EqualTo("10.11.0.1"));
            Assert.That(options.IPv6Range, Is.Null);
            Assert.That(options.Expiration, Is.EqualTo(TimeSpan.FromSeconds(600)));
            Assert.That((options.DeviceMtu, options.RouteMtu, options.DatapathMode), Is.EqualTo((1500, 1450, "veth")));
            Assert.That(options.Datapath, Is.False);
        }
    }

    [Test]
    public void Parse_EveryFlag_SetsItsOption()
    {
        var parsed = SimOptionsParser.Parse(
        [
            "--socket", "/tmp/x/a.sock", "--control-socket=/tmp/x/c.sock", "--ipv4-range", "10.20.0.0/24", "--router-ipv4", "10.20.0.254",
            "--ipv6-range", "f00d::a0b:0:0:0/96", "--router-ipv6", "f00d::a0b:0:0:ffff", "--expiration", "1.5", "--device-mtu", "9000",
            "--route-mtu", "8950", "--datapath-mode", "netkit-l2", "--gro-max-size", "65536", "--gso-max-size", "65537",
            "--gro-ipv4-max-size", "65538", "--gso-ipv4-max-size", "65539", "--report-disabled-family", "-v",
        ]);

        var o = parsed.Options!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed.Error, Is.Null);
            Assert.That((o.SocketPath, o.ResolvedControlSocketPath), Is.EqualTo(("/tmp/x/a.sock", "/tmp/x/c.sock")));
            Assert.That((o.IPv4Range!.ToString(), o.ResolvedRouterIPv4!.ToString()), Is.EqualTo(("10.20.0.0/24", "10.20.0.254")));
            Assert.That((o.IPv6Range!.ToString(), o.ResolvedRouterIPv6!.ToString()), Is.EqualTo(("f00d::a0b:0:0:0/96", "f00d::a0b:0:0:ffff")));
            Assert.That(o.Expiration, Is.EqualTo(TimeSpan.FromSeconds(1.5)));
            Assert.That((o.DeviceMtu, o.RouteMtu, o.DatapathMode), Is.EqualTo((9000, 8950, "netkit-l2")));
            Assert.That((o.GroMaxSize, o.GsoMaxSize, o.GroIPv4MaxSize, o.GsoIPv4MaxSize), Is.EqualTo((65536L, 65537L, 65538L, 65539L)));
            Assert.That((o.ReportDisabledFamily, o.Verbose), Is.EqualTo((true, true)));
        }
    }

    [Test]
    public void Parse_DisableIPv4WithIPv6_RunsIPv6Only()
    {
        var options = SimOptionsParser.Parse(["--disable-ipv4", "--ipv6-range", "f00d::/112"]).Options!;

        Assert.That((options.IPv4Range, options.ResolvedRouterIPv6!.ToString()), Is.EqualTo(((CiliumAgentSim.State.Cidr?)null, "f00d::1")));
    }

    [Test]
    public void Parse_Help_AsksForHelp() =>
        Assert.That(SimOptionsParser.Parse(["--help"]).HelpRequested, Is.True);

    [TestCase(new[] { "--bogus" }, "unknown flag --bogus")]
    [TestCase(new[] { "--socket" }, "--socket needs a value")]
    [TestCase(new[] { "--socket=" }, "--socket must not be empty")]
    [TestCase(new[] { "--ipv4-range", "f00d::/96" }, "not an IPv4 CIDR")]
    [TestCase(new[] { "--ipv4-range", "10.0.0.0/31" }, "too small")]
    [TestCase(new[] { "--ipv6-range", "10.0.0.0/8" }, "not an IPv6 CIDR")]
    [TestCase(new[] { "--router-ipv4", "f00d::1" }, "not an IPv4 address")]
    [TestCase(new[] { "--expiration", "0" }, "greater than 0")]
    [TestCase(new[] { "--expiration", "soon" }, "greater than 0")]
    [TestCase(new[] { "--device-mtu", "12" }, "between 68 and 65535")]
    [TestCase(new[] { "--gro-max-size", "-1" }, "whole number")]
    [TestCase(new[] { "--datapath-mode", "ebpf" }, "not one of veth")]
    [TestCase(new[] { "--disable-ipv4" }, "at least one address family")]
    [TestCase(new[] { "--router-ipv6", "f00d::1" }, "--router-ipv6 needs --ipv6-range")]
    [TestCase(new[] { "--netns", "/var/run/netns/x" }, "only applies together with --datapath")]
    [TestCase(new[] { "--datapath", "--netns", "/nonexistent/netns" }, "no such network namespace")]
    public void Parse_BadInput_ExplainsWithFlagName(string[] args, string expected)
    {
        var parsed = SimOptionsParser.Parse(args);

        Assert.That(parsed.Options, Is.Null);
        Assert.That(parsed.Error, Does.Contain(expected));
    }
}
