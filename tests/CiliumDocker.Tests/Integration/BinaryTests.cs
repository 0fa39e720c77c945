using System.Diagnostics;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Integration;

/// <summary>The process as Docker and an operator see it: flags, start-up, the socket file, signals.</summary>
internal sealed class BinaryTests : PluginIntegrationTest
{
    [Test]
    public async Task Version_PrintsNameAndVersion()
    {
        var (exitCode, output, _) = await PluginProcess.RunToEndAsync(Cancellation, "--version");

        Assert.That((exitCode, output.Trim()), Is.EqualTo((0, "cilium-docker 0.1.0")));
    }

    [Test]
    public async Task Help_PrintsUsage()
    {
        var (exitCode, output, _) = await PluginProcess.RunToEndAsync(Cancellation, "--help");

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero);
            Assert.That(output, Does.Contain("--cilium-api URI").And.Contain("--docker-plugins DIR").And.Contain("RETRY_BUDGET"));
        });
    }

    /// <summary>Every flag and variable is checked before anything starts: exit 2 and one line naming it, never a stack trace.</summary>
    [TestCase("--sockpath=/x", "", "", "unknown flag: --sockpath")]
    [TestCase("--docker-host-path=tcp://foo", "", "", "--docker-host-path: invalid host format 'tcp://foo': expected tcp://host:port")]
    [TestCase("--cilium-api=unix://cilium.sock", "", "", "--cilium-api: invalid host format 'unix://cilium.sock'")]
    [TestCase("--datapath=tap", "", "", "--datapath tap is not one of veth, none")]
    [TestCase("", "DOCKER_HOST_PATH", "tcp://foo", "DOCKER_HOST_PATH: invalid host format 'tcp://foo': expected tcp://host:port")]
    [TestCase("", "DOCKER_HOST_PATH", "unix:///run/docker/plugins/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock", "longer than the 107 bytes")]
    [TestCase("", "CILIUM_SOCK", "cilium.sock", "CILIUM_SOCK: invalid host format 'unix://cilium.sock'")]
    [TestCase("", "RETRY_BUDGET", "0.5", "RETRY_BUDGET=0.5 is not a number of seconds from 1 to 300")]
    [TestCase("", "ADDRESS_CLAIM_TIMEOUT", "soon", "ADDRESS_CLAIM_TIMEOUT=soon is not a number of seconds")]
    [TestCase("", "LOG_LEVEL", "loud", "LOG_LEVEL=loud is not one of debug, info, warn, error")]
    public async Task BadValue_ExitsTwoWithOneLineNamingIt(string flag, string variable, string value, string expected)
    {
        var environment = variable.Length == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [variable] = value };
        var arguments = flag.Length == 0 ? Array.Empty<string>() : [flag];

        var (exitCode, output, errors) = await PluginProcess.RunToEndAsync(environment, Cancellation, arguments);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(output, Is.Empty);
            Assert.That(errors.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1), errors);
            Assert.That(errors, Does.StartWith("cilium-docker: ").And.Contain(expected));
        });
    }

    [Test]
    public async Task NotRoot_RefusesWithTheOriginalMessage()
    {
        var start = new ProcessStartInfo("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", PublishedBinary.Path, "--docker-plugins", "/tmp/never-created"])
        {
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var errors = await process.StandardError.ReadToEndAsync(Cancellation);
        await process.WaitForExitAsync(Cancellation);

        Assert.Multiple(() =>
        {
            Assert.That(process.ExitCode, Is.EqualTo(1));
            Assert.That(errors, Does.Contain("with root privileges"));
        });
    }

    [Test]
    public async Task Start_AgentDown_ServesAtOnceFailsAgentCallsClearlyThenRecovers()
    {
        await StartAsync(agentUp: false);

        var capabilities = await Plugin.PostAsync("/NetworkDriver.GetCapabilities", null, Cancellation);
        var pool = await Plugin.PostAsync("/IpamDriver.RequestPool", DockerRequests.RequestPoolJson, Cancellation);
        var health = await Plugin.GetAsync("/Plugin.Health", Cancellation);
        Assert.Multiple(() =>
        {
            Assert.That(capabilities.Status, Is.EqualTo(200));
            Assert.That(pool.Status, Is.EqualTo(500));
            Assert.That(pool.Body, Does.Contain(Agent.SocketPath));
            Assert.That(health.Status, Is.EqualTo(503));
            Assert.That(Plugin.HasExited, Is.False);
        });

        await Agent.StartAsync();
        var recovered = await Eventually.ReturnsAsync(
            () => Plugin.PostAsync("/IpamDriver.RequestPool", DockerRequests.RequestPoolJson, Cancellation),
            response => response.Status == 200,
            Cancellation);

        Assert.That(recovered.Body, Does.Contain("\"PoolID\":\"CiliumPoolv4\""));
    }

    [Test]
    public async Task Socket_IsOwnerReadWriteOnly()
    {
        await StartAsync();

        Assert.That(File.GetUnixFileMode(Plugin.SocketPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task Sigterm_ExitsCleanlyWellInsideDockersGraceAndRemovesTheSocket()
    {
        await StartAsync();
        await WaitForAgentConfigAsync();

        // Docker SIGKILLs after 10 s; the hang guard fails the test long before this test could pass late.
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        grace.CancelAfter(TimeSpan.FromSeconds(10));
        var exitCode = await Plugin.TerminateAsync(grace.Token);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero);
            Assert.That(File.Exists(Plugin.SocketPath), Is.False);
            Assert.That(Plugin.Output, Does.Contain("[704] cilium-docker 0.1.0: serving Docker on " + Plugin.SocketPath), "the start line an operator looks for");
            Assert.That(Plugin.Output, Does.Contain("[705] stopping (SIGTERM)"), "why it stopped");
        });
    }

    [Test]
    public async Task Start_AfterCrashLeftSocketFile_RemovesItAndServes()
    {
        await StartAsync();
        var directory = Plugin.Directory;
        await Plugin.KillAsync();
        Assert.That(File.Exists(Path.Combine(directory, "cilium.sock")), Is.True, "SIGKILL leaves the socket file");

        await using var successor = PluginProcess.Start(Agent.Uri, directory);
        await successor.WaitUntilServingAsync(Cancellation);

        Assert.That((await successor.PostAsync("/Plugin.Activate", null, Cancellation)).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Start_SocketServedByLiveInstance_RefusesAndLeavesItServing()
    {
        await StartAsync();

        await using var second = PluginProcess.Start(Agent.Uri, Plugin.Directory);
        await Eventually.WaitUntilAsync(() => second.HasExited, "the second instance exits", Cancellation);

        Assert.Multiple(() =>
        {
            Assert.That(second.ExitCode, Is.EqualTo(1));
            Assert.That(second.Output, Does.Contain("in use by a running cilium-docker"));
        });
        Assert.That((await Plugin.PostAsync("/Plugin.Activate", null, Cancellation)).Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Start_PathTakenByNonSocket_ExitsWithClearError()
    {
        var directory = PluginProcess.NewDirectory();
        TrackDirectory(directory);
        Directory.CreateDirectory(Path.Combine(directory, "cilium.sock"));

        await using var plugin = PluginProcess.Start("unix:///tmp/none.sock", directory);
        await Eventually.WaitUntilAsync(() => plugin.HasExited, "the plugin exits", Cancellation);

        Assert.That(plugin.ExitCode, Is.Not.Zero);
        Assert.That(plugin.Output, Does.Not.Contain("Unhandled exception"), "a clear message, not a crash dump");
    }

    [Test]
    public async Task Start_TimeToFirstAnsweredRequest_IsReported()
    {
        Agent = await SimulatedAgentServer.StartAsync();
        var started = Stopwatch.StartNew();
        await using var plugin = PluginProcess.Start(Agent.Uri);
        TrackDirectory(plugin.Directory);
        await plugin.WaitUntilServingAsync(Cancellation);
        var elapsed = started.Elapsed;

        var rss = File.ReadLines($"/proc/{plugin.Id}/status").First(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        await TestContext.Out.WriteLineAsync($"first answered request after {elapsed.TotalMilliseconds:F0} ms; {rss}");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(9.5)), "Docker stops waiting for a managed plugin's socket after about 9.5 s");
    }
}
