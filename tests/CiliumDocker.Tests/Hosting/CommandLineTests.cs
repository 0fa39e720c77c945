using CiliumDocker.Hosting;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace CiliumDocker.Tests.Hosting;

internal sealed class CommandLineTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Test]
    public void Parse_NoArguments_UsesTheOriginalDefaults()
    {
        var options = Run([]);

        Assert.Multiple(() =>
        {
            Assert.That(options.CiliumApi.Address, Is.EqualTo("unix:///var/run/cilium/cilium.sock"));
            Assert.That(options.DockerHostPath, Is.EqualTo("unix:///var/run/docker.sock"));
            Assert.That(options.SocketPath, Is.EqualTo("/run/docker/plugins/cilium.sock"));
            Assert.That(options.StateDirectory, Is.EqualTo("/var/lib/cilium-docker"));
            Assert.That(options.LogLevel, Is.EqualTo(LogLevel.Information));
            Assert.That(options.AgentRetryBudget, Is.Null);
            Assert.That(options.AddressClaimTimeout, Is.EqualTo(TimeSpan.FromMinutes(10)));
        });
    }

    [Test]
    public void Parse_AllFlagsSeparated_TakesThem()
    {
        var options = Run(["-D", "--cilium-api", "unix:///tmp/a.sock", "--docker-host-path", "unix:///tmp/d.sock", "--docker-plugins", "/tmp/p", "--state-dir", "/tmp/s"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.LogLevel, Is.EqualTo(LogLevel.Debug));
            Assert.That(options.CiliumApi.Address, Is.EqualTo("unix:///tmp/a.sock"));
            Assert.That(options.DockerHostPath, Is.EqualTo("unix:///tmp/d.sock"));
            Assert.That(options.SocketPath, Is.EqualTo("/tmp/p/cilium.sock"));
            Assert.That(options.StateDirectory, Is.EqualTo("/tmp/s"));
        });
    }

    [Test]
    public void Parse_FlagsWithEquals_TakesThem()
    {
        var options = Run(["--debug", "--cilium-api=tcp://127.0.0.1:9234", "--docker-plugins=/tmp/p"]);

        Assert.That((options.LogLevel, options.CiliumApi.Address, options.DockerPluginsDirectory), Is.EqualTo((LogLevel.Debug, "tcp://127.0.0.1:9234", "/tmp/p")));
    }

    [Test]
    public void Parse_CiliumSockVariable_IsTheFallbackForCiliumApi()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run([], Env(("CILIUM_SOCK", "/run/cilium/x.sock"))).CiliumApi.Address, Is.EqualTo("unix:///run/cilium/x.sock"));
            Assert.That(Run(["--cilium-api", "unix:///flag.sock"], Env(("CILIUM_SOCK", "/env.sock"))).CiliumApi.Address, Is.EqualTo("unix:///flag.sock"));
        });
    }

    [Test]
    public void Parse_EnvironmentVariables_SetLevelBudgetClaimTimeoutAndPaths()
    {
        var options = Run([], Env(("LOG_LEVEL", "warn"), ("RETRY_BUDGET", "7.5"), ("ADDRESS_CLAIM_TIMEOUT", "30"), ("STATE_DIR", "/tmp/st"), ("DOCKER_HOST_PATH", "unix:///tmp/d.sock")));

        Assert.Multiple(() =>
        {
            Assert.That(options.LogLevel, Is.EqualTo(LogLevel.Warning));
            Assert.That(options.AgentRetryBudget, Is.EqualTo(TimeSpan.FromSeconds(7.5)));
            Assert.That(options.AddressClaimTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.StateDirectory, Is.EqualTo("/tmp/st"));
            Assert.That(options.DockerHostPath, Is.EqualTo("unix:///tmp/d.sock"));
        });
    }

    [TestCase("debug", LogLevel.Debug)]
    [TestCase("INFO", LogLevel.Information)]
    [TestCase("warning", LogLevel.Warning)]
    [TestCase("error", LogLevel.Error)]
    public void Parse_LogLevelNames_MapToLevels(string name, LogLevel expected)
    {
        Assert.That(Run([], Env(("LOG_LEVEL", name))).LogLevel, Is.EqualTo(expected));
    }

    [Test]
    public void Parse_DebugFlag_WinsOverLogLevel()
    {
        Assert.That(Run(["-D"], Env(("LOG_LEVEL", "error"))).LogLevel, Is.EqualTo(LogLevel.Debug));
    }

    [TestCase("--help")]
    [TestCase("-h")]
    public void Parse_Help_AsksForHelp(string flag)
    {
        Assert.That(CommandLine.Parse([flag], NoEnvironment).Action, Is.EqualTo(CommandLineAction.Help));
    }

    [TestCase("--version")]
    [TestCase("version")]
    public void Parse_Version_AsksForVersion(string flag)
    {
        Assert.That(CommandLine.Parse([flag], NoEnvironment).Action, Is.EqualTo(CommandLineAction.Version));
    }

    [TestCase(new[] { "--bogus" }, "unknown flag: --bogus")]
    [TestCase(new[] { "-d" }, "unknown flag: -d")]
    [TestCase(new[] { "stray" }, "unexpected argument: stray")]
    [TestCase(new[] { "--cilium-api" }, "flag needs an argument: --cilium-api")]
    [TestCase(new[] { "--state-dir=" }, "needs a non-empty value")]
    [TestCase(new[] { "--cilium-api", "/var/run/cilium.sock" }, "invalid host format '/var/run/cilium.sock'")]
    [TestCase(new[] { "--cilium-api", "http://x" }, "unsupported scheme")]
    [TestCase(new[] { "--docker-host-path", "docker.sock" }, "--docker-host-path: invalid host format 'docker.sock'")]
    [TestCase(new[] { "--docker-host-path", "tcp://foo" }, "--docker-host-path: invalid host format 'tcp://foo': expected tcp://host:port")]
    [TestCase(new[] { "--docker-host-path", "unix:///run/\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9.sock" }, "longer than the 107 bytes")]
    [TestCase(new[] { "--cilium-api", "unix:///run/\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9.sock" }, "longer than the 107 bytes")]
    public void Parse_BadArguments_ReportsTheProblem(string[] args, string expected)
    {
        var result = CommandLine.Parse(args, NoEnvironment);

        Assert.Multiple(() =>
        {
            Assert.That(result.Action, Is.EqualTo(CommandLineAction.Error));
            Assert.That(result.ErrorMessage, Does.Contain(expected));
        });
    }

    [TestCase(null, true)]
    [TestCase("1", true)]
    [TestCase("0", false)]
    public void Parse_InlineCompletionsVariable_DecidesInlineIo(string? value, bool expected)
    {
        Assert.That(Run([], Env((CommandLine.InlineCompletionsVariable, value))).InlineIo, Is.EqualTo(expected));
    }

    [TestCase(null, null, 1)]
    [TestCase("0", null, null)]
    [TestCase("1", "4", 4)]
    [TestCase("0", "2", 2)]
    public void Parse_SocketThreads_OneWithInlineIoUnlessSet(string? inline, string? threads, int? expected)
    {
        var options = Run([], Env((CommandLine.InlineCompletionsVariable, inline), (CommandLine.SocketThreadsVariable, threads)));

        Assert.That(options.EffectiveSocketThreads, Is.EqualTo(expected));
    }

    [TestCase("LOG_LEVEL", "verbose")]
    [TestCase("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "0")]
    [TestCase("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "65")]
    [TestCase("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "two")]
    [TestCase("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "true")]
    [TestCase("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "yes")]
    [TestCase("RETRY_BUDGET", "soon")]
    [TestCase("RETRY_BUDGET", "-1")]
    [TestCase("RETRY_BUDGET", "0")]
    [TestCase("RETRY_BUDGET", "100000")]
    [TestCase("ADDRESS_CLAIM_TIMEOUT", "NaN")]
    [TestCase("DOCKER_HOST_PATH", "tcp://foo")]
    [TestCase("CILIUM_SOCK", "relative\u0000path")]
    public void Parse_BadVariable_ReportsIt(string variable, string value)
    {
        var result = CommandLine.Parse([], Env((variable, value)));

        Assert.Multiple(() =>
        {
            Assert.That(result.Action, Is.EqualTo(CommandLineAction.Error));
            Assert.That(result.ErrorMessage, Does.Contain(variable).And.Contain(value));
        });
    }

    [Test]
    public void ToAgentClientOptions_RetryBudget_BoundsBudgetAndAttempt()
    {
        var withBudget = Run([], Env(("RETRY_BUDGET", "3"))).ToAgentClientOptions();
        var withoutBudget = Run(["--cilium-api", "unix:///tmp/a.sock"]).ToAgentClientOptions();

        Assert.Multiple(() =>
        {
            Assert.That((withBudget.TotalBudget, withBudget.AttemptTimeout), Is.EqualTo((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3))));
            Assert.That(withoutBudget.Endpoint.SocketPath, Is.EqualTo("/tmp/a.sock"));
            Assert.That(withoutBudget.TotalBudget, Is.EqualTo(new CiliumDocker.Agent.AgentClientOptions().TotalBudget));
        });
    }

    private static PluginOptions Run(string[] args, Func<string, string?>? environment = null)
    {
        var result = CommandLine.Parse(args, environment ?? NoEnvironment);
        Assert.That(result.Action, Is.EqualTo(CommandLineAction.Run), result.ErrorMessage);
        return result.Options!;
    }

    private static Func<string, string?> Env(params (string Name, string? Value)[] variables)
        => name => variables.FirstOrDefault(variable => variable.Name == name).Value;
}
