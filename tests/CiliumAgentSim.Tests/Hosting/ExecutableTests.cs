using System.Net.Sockets;
using System.Text.Json.Nodes;
using CiliumAgentSim.Tests.Support;

namespace CiliumAgentSim.Tests.Hosting;

/// <summary>The built executable, end to end: flags, the ready line, SIGTERM, stale sockets, real-time expiration.</summary>
[CancelAfter(60_000)]
internal sealed class ExecutableTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = SimHarness.NewTempDirectory();

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Help_PrintsUsageAndExitsZero()
    {
        using var sim = SimulatorProcess.Start("--help");

        var exit = await sim.WaitForExitAsync();

        Assert.That(exit, Is.Zero);
        Assert.That(sim.Output, Does.Contain("--control-socket PATH").And.Contain("--expiration SECONDS"));
    }

    [Test]
    public async Task BadFlag_ExitsTwoNamingTheFlag()
    {
        using var sim = SimulatorProcess.Start("--ipv4-range", "nonsense");

        var exit = await sim.WaitForExitAsync();

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(sim.Output, Does.Contain("--ipv4-range nonsense"));
    }

    [Test]
    public async Task Run_ThenSigterm_ServesBothSocketsAndExitsCleanlyRemovingThem()
    {
        var socket = Path.Combine(_directory, "run", "cilium.sock");
        using var sim = SimulatorProcess.Start("--socket", socket, "--ipv4-range", "10.40.0.0/24");
        await sim.WaitReadyAsync();
        var control = Path.Combine(_directory, "run", "cilium-sim-control.sock");

        using var agent = UnixHttp.CreateClient(socket);
        using var controlClient = UnixHttp.CreateClient(control);
        var config = JsonNode.Parse(await agent.GetStringAsync("/v1/config"))!;
        var state = JsonNode.Parse(await controlClient.GetStringAsync("/state"))!;
        sim.Terminate();
        var exit = await sim.WaitForExitAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(config["status"]!["addressing"]!["ipv4"]!["ip"]!.GetValue<string>(), Is.EqualTo("10.40.0.1"));
            Assert.That(state["agentUp"]!.GetValue<bool>(), Is.True);
            Assert.That(exit, Is.Zero, sim.Output);
            Assert.That(File.Exists(socket) || File.Exists(control), Is.False, "sockets are removed on SIGTERM");
        }
    }

    [Test]
    public async Task Run_ExpirationOneSecond_ReleasesUnclaimedAddressInRealTime()
    {
        var socket = Path.Combine(_directory, "a.sock");
        using var sim = SimulatorProcess.Start("--socket", socket, "--expiration", "1");
        await sim.WaitReadyAsync();
        using var agent = UnixHttp.CreateClient(socket);
        using var control = UnixHttp.CreateClient(Path.Combine(_directory, "cilium-sim-control.sock"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/ipam?family=ipv4&owner=t");
        request.Headers.Add("expiration", "true");

        using var allocated = await agent.SendAsync(request);
        var emptied = false;
        while (!emptied)
        {
            await Task.Delay(100);
            emptied = JsonNode.Parse(await control.GetStringAsync("/state"))!["addresses"]!.AsArray().Count == 0;
        }

        Assert.That((int)allocated.StatusCode, Is.EqualTo(201));
    }

    [Test]
    public async Task Start_StaleSocketFile_IsReplaced()
    {
        var socket = Path.Combine(_directory, "a.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Bound but never listening, then closed without unlinking: what a SIGKILL leaves behind.
            stale.Bind(new UnixDomainSocketEndPoint(socket));
        }

        using var sim = SimulatorProcess.Start("--socket", socket);
        await sim.WaitReadyAsync();
        using var agent = UnixHttp.CreateClient(socket);

        Assert.That((await agent.GetAsync("/v1/healthz")).IsSuccessStatusCode, Is.True);
    }

    [Test]
    public async Task Start_SocketOfLiveSimulator_RefusesAndLeavesItAlone()
    {
        var socket = Path.Combine(_directory, "a.sock");
        using var first = SimulatorProcess.Start("--socket", socket);
        await first.WaitReadyAsync();

        using var second = SimulatorProcess.Start("--socket", socket);
        var exit = await second.WaitForExitAsync();
        using var agent = UnixHttp.CreateClient(socket);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(second.Output, Does.Contain("in use"));
        Assert.That((await agent.GetAsync("/v1/healthz")).IsSuccessStatusCode, Is.True);
    }
}
