using System.Diagnostics;
using System.Text.Json.Nodes;
using CiliumAgentSim.Tests.Support;

namespace CiliumAgentSim.Tests.Faults;

[CancelAfter(30_000)]
internal sealed class FaultApiTests
{
    [Test]
    public async Task FailNext_Status500_AnswersNextRequestsWithJsonStringThenRecovers()
    {
        await using var sim = await SimHarness.StartAsync();
        var (setStatus, _) = await sim.ControlAsync(HttpMethod.Post, "/faults", """{"failNext":2,"status":500}""");

        var first = await sim.SendAsync(HttpMethod.Get, "/v1/config");
        var second = await sim.SendAsync(HttpMethod.Post, "/v1/ipam?family=ipv4");
        var third = await sim.SendAsync(HttpMethod.Get, "/v1/config");
        var state = await sim.StateAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(setStatus, Is.EqualTo(200));
            Assert.That(first, Is.EqualTo((500, "\"fault injected by cilium-agent-sim\"")));
            Assert.That(second.Status, Is.EqualTo(500));
            Assert.That(third.Status, Is.EqualTo(200));
            Assert.That(state["addresses"]!.AsArray(), Is.Empty, "a failed request has no effect");
        }
    }

    [Test]
    public async Task FailNext_Status429_AnswersWithEmptyBody()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"failNext":1,"status":429}""");

        var result = await sim.SendAsync(HttpMethod.Get, "/v1/endpoint");

        Assert.That(result, Is.EqualTo((429, "")));
    }

    [Test]
    public async Task FailNext_PathAndMethodFilter_OnlyMatchingRequestsFail()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"failNext":1,"status":503,"message":"busy","path":"/v1/endpoint","method":"PUT"}""");

        var config = await sim.SendAsync(HttpMethod.Get, "/v1/config");
        var list = await sim.SendAsync(HttpMethod.Get, "/v1/endpoint");
        var put = await sim.PutEndpointAsync("""{"state":"waiting-for-identity"}""");
        var putAgain = await sim.PutEndpointAsync("""{"state":"waiting-for-identity"}""");

        Assert.That(
            new[] { config.Status, list.Status, put.Status, putAgain.Status },
            Is.EqualTo(new[] { 200, 200, 503, 201 }));
        Assert.That(put.Body, Is.EqualTo("\"busy\""));
    }

    [Test]
    public async Task AbortNext_One_DropsConnectionWithoutAnswerThenServes()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"abortNext":1}""");

        // A raw socket: HttpClient hides an aborted first attempt by re-sending the request on a new connection.
        var answer = await RawHttp.ExchangeAsync(sim.Options.SocketPath, "POST /v1/ipam?family=ipv4 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
        var next = await sim.SendAsync(HttpMethod.Get, "/v1/config");

        Assert.That(answer, Is.Empty);
        Assert.That(next.Status, Is.EqualTo(200));
    }

    [Test]
    public async Task AbortNext_After_WorkIsDoneButAnswerLost()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"abortNext":1,"abortAfter":true,"path":"/v1/ipam"}""");

        var answer = await RawHttp.ExchangeAsync(sim.Options.SocketPath, "POST /v1/ipam?family=ipv4 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
        var state = await sim.StateAsync();

        Assert.That(answer, Is.Empty);
        Assert.That(state["addresses"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Delay_Before_HoldsAnswerForDelay()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"delayMs":400,"path":"/v1/endpoint"}""");

        var clock = Stopwatch.StartNew();
        var put = await sim.PutEndpointAsync("""{"state":"waiting-for-identity"}""");
        var delayed = clock.Elapsed;

        Assert.That(put.Status, Is.EqualTo(201));
        Assert.That(delayed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(390)));
    }

    [Test]
    public async Task Delay_AfterWithClientTimeout_WorkIsDoneThoughClientNeverHeard()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"delayMs":5000,"delayAfter":true,"path":"/v1/ipam"}""");
        using var impatient = UnixHttp.CreateClient(sim.Options.SocketPath, TimeSpan.FromMilliseconds(300));

        Assert.That(async () => await impatient.PostAsync("/v1/ipam?family=ipv4", null), Throws.InstanceOf<TaskCanceledException>());
        var state = await sim.StateAsync();

        Assert.That(state["addresses"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Delay_After_AnswerArrivesWithBody()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"delayMs":200,"delayAfter":true}""");

        var (status, body) = await sim.SendAsync(HttpMethod.Post, "/v1/ipam?family=ipv4");

        Assert.That(status, Is.EqualTo(201));
        Assert.That(JsonNode.Parse(body)!["address"]!["ipv4"]!.GetValue<string>(), Is.EqualTo("10.11.0.2"));
    }

    [Test]
    public async Task Blackhole_On_HoldsRequestsUntilSwitchedOff()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"blackhole":true}""");

        var held = sim.SendAsync(HttpMethod.Get, "/v1/healthz");
        var finishedFirst = await Task.WhenAny(held, Task.Delay(500));
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"blackhole":false}""");
        var answer = await held;

        Assert.That(finishedFirst, Is.Not.SameAs(held), "no answer while the blackhole is on");
        Assert.That(answer.Status, Is.EqualTo(200));
    }

    [Test]
    public async Task Clear_AfterSeveralFaults_RemovesAllAndReleasesBlackhole()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"failNext":5,"abortNext":5,"delayMs":10000,"blackhole":true}""");
        var held = sim.SendAsync(HttpMethod.Get, "/v1/config");

        var (clearStatus, cleared) = await sim.ControlAsync(HttpMethod.Post, "/faults/clear");
        var heldAnswer = await held;
        var (_, faults) = await sim.ControlAsync(HttpMethod.Get, "/faults");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clearStatus, Is.EqualTo(200));
            Assert.That(heldAnswer.Status, Is.EqualTo(200), "the held request is answered normally");
            Assert.That(faults, Is.EqualTo(cleared));
            Assert.That(JsonNode.Parse(faults)!["blackhole"]!.GetValue<bool>(), Is.False);
            Assert.That(JsonNode.Parse(faults)!.AsObject().ContainsKey("failNext"), Is.False);
        }
    }

    [Test]
    public async Task GetFaults_AfterSet_ShowsRemainingCount()
    {
        await using var sim = await SimHarness.StartAsync();
        await sim.ControlAsync(HttpMethod.Post, "/faults", """{"failNext":3,"status":500}""");
        await sim.SendAsync(HttpMethod.Get, "/v1/config");

        var (_, body) = await sim.ControlAsync(HttpMethod.Get, "/faults");

        var json = JsonNode.Parse(body)!;
        Assert.That(json["failNext"]!["remaining"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(json["injected"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [TestCase("""{"failNext":-1}""")]
    [TestCase("""{"failNext":1,"status":200}""")]
    [TestCase("""{"status":500}""")]
    [TestCase("""{"abortAfter":true}""")]
    [TestCase("""{}""")]
    [TestCase("""{"delayMs":10,"path":"v1/ipam"}""")]
    [TestCase("""{"failNext":"many"}""")]
    [TestCase("")]
    public async Task PostFaults_BadRequest_Answers400AndChangesNothing(string json)
    {
        await using var sim = await SimHarness.StartAsync();

        var (status, body) = await sim.ControlAsync(HttpMethod.Post, "/faults", json);
        var config = await sim.SendAsync(HttpMethod.Get, "/v1/config");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(JsonNode.Parse(body)!["error"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(config.Status, Is.EqualTo(200));
    }
}
