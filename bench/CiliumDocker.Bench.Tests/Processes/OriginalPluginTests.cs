using CiliumDocker.Bench.Processes;

namespace CiliumDocker.Bench.Tests.Processes;

public sealed class OriginalPluginTests
{
    [Test]
    public void Problems_KeepsWarningsAndErrors_ButNotTheDockerWatcherReconnects()
    {
        // Lines as the original's logrus text formatter writes them (captured from a run against the simulator).
        const string log = """
            level=info msg="Starting docker events watcher" subsys=cilium-docker-driver
            level=error msg="Unable to connect to docker events channel, reconnecting..." error="Cannot connect to the Docker daemon at unix:///tmp/cb-1/no-docker.sock. Is the docker daemon running?" subsys=cilium-docker-driver
            level=info msg="Cilium Docker plugin ready" subsys=cilium-docker-driver
            level=warning msg="Leaving the endpoint failed" error="[DELETE /endpoint/{id}][404] deleteEndpointIdNotFound" subsys=cilium-docker-driver
            level=warning msg="Error while deleting link" error="Link not found" subsys=cilium-docker-driver
            level=error msg="Sending error" code=400 msg="Could not allocate IP address" subsys=cilium-docker-driver
            """;

        var problems = OriginalPlugin.Problems(log);

        Assert.That(problems, Has.Count.EqualTo(3));
        Assert.That(problems[0], Does.Contain("Leaving the endpoint failed"));
    }

    [Test]
    public void Problems_QuietLog_IsEmpty() =>
        Assert.That(OriginalPlugin.Problems("level=info msg=\"Listening for events from Docker\"\n"), Is.Empty);

    [Test]
    public void Problems_FatalAndPanic_Count() =>
        Assert.That(OriginalPlugin.Problems("level=fatal msg=\"Unable to connect to cilium daemon\"\nlevel=panic msg=x\n"), Has.Count.EqualTo(2));
}
