using System.Text.Json;
using CiliumDocker.Bench.Wire;

namespace CiliumDocker.Bench.Tests.Wire;

/// <summary>The bodies match the capture of Docker Engine 20.10.24 (docker-20.10.24-requests.txt) exactly.</summary>
public sealed class DockerRequestsTests
{
    private const string Network = "76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27";
    private const string Endpoint = "b2d8eaa5ad8aee405cc85bd2383a44c095f2fe142c0e839ea8d6326b47cc07a6";

    [Test]
    public void CreateEndpoint_IsTheCapturedBody() =>
        Assert.That(DockerRequests.CreateEndpoint(Network, Endpoint, "10.11.0.2/32"), Is.EqualTo(
            """{"NetworkID":"76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27","EndpointID":"b2d8eaa5ad8aee405cc85bd2383a44c095f2fe142c0e839ea8d6326b47cc07a6","Interface":{"Address":"10.11.0.2/32","AddressIPv6":"","MacAddress":""},"Options":{"com.docker.network.endpoint.exposedports":[],"com.docker.network.portmap":[]}}"""));

    [Test]
    public void Join_IsTheCapturedBody() =>
        Assert.That(DockerRequests.Join(Network, Endpoint, "10de18e20ce2" + new string('0', 52)), Is.EqualTo(
            """{"NetworkID":"76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27","EndpointID":"b2d8eaa5ad8aee405cc85bd2383a44c095f2fe142c0e839ea8d6326b47cc07a6","SandboxKey":"/var/run/docker/netns/10de18e20ce2","Options":{"com.docker.network.endpoint.exposedports":[],"com.docker.network.portmap":[]}}"""));

    [Test]
    public void CreateNetwork_IsTheCapturedBody() =>
        Assert.That(DockerRequests.CreateNetwork(Network, "CiliumLocal", "10.11.0.1/32", "0.0.0.0/0"), Is.EqualTo(
            """{"NetworkID":"76287ea734517c0c8e2398f8e1842e4423c8ac5d7fb5b2c7632cd9dc607ceb27","Options":{"com.docker.network.enable_ipv6":false,"com.docker.network.generic":{}},"IPv4Data":[{"AddressSpace":"CiliumLocal","Gateway":"10.11.0.1/32","Pool":"0.0.0.0/0"}],"IPv6Data":[]}"""));

    [Test]
    public void SmallBodies_AreTheCapturedBodies() =>
        Assert.Multiple(() =>
        {
            Assert.That(DockerRequests.RequestPool("CiliumLocal"), Is.EqualTo("""{"AddressSpace":"CiliumLocal","Pool":"","SubPool":"","Options":{},"V6":false}"""));
            Assert.That(DockerRequests.RequestAddress("CiliumPoolv4"), Is.EqualTo("""{"PoolID":"CiliumPoolv4","Address":"","Options":null}"""));
            Assert.That(DockerRequests.Endpoint(Network, Endpoint), Is.EqualTo($$"""{"NetworkID":"{{Network}}","EndpointID":"{{Endpoint}}"}"""));
            Assert.That(DockerRequests.ReleaseAddress("CiliumPoolv4", "10.11.0.2"), Is.EqualTo("""{"PoolID":"CiliumPoolv4","Address":"10.11.0.2"}"""));
            Assert.That(DockerRequests.ReleasePool("CiliumPoolv4"), Is.EqualTo("""{"PoolID":"CiliumPoolv4"}"""));
            Assert.That(DockerRequests.NetworkOnly(Network), Is.EqualTo($$"""{"NetworkID":"{{Network}}"}"""));
        });

    [Test]
    public void RequestGatewayAddress_CarriesTheUnprefixedRequestAddressType()
    {
        using var document = JsonDocument.Parse(DockerRequests.RequestGatewayAddress("CiliumPoolv4"));

        Assert.That(document.RootElement.GetProperty("Options").GetProperty("RequestAddressType").GetString(), Is.EqualTo("com.docker.network.gateway"));
    }

    [Test]
    public void NewId_Is64LowercaseHexAndFresh()
    {
        var first = DockerRequests.NewId();

        Assert.That(first, Does.Match("^[0-9a-f]{64}$"));
        Assert.That(DockerRequests.NewId(), Is.Not.EqualTo(first));
    }

    [TestCase("""{"Err":"no agent","Error":"no agent"}""", "no agent")]
    [TestCase("""{"Error":"pool exhausted"}""", "pool exhausted")]
    [TestCase("""{"Err":""}""", """{"Err":""}""")]
    [TestCase("404 page not found\n", "404 page not found")]
    public void ErrorText_IsWhatDockerShows(string body, string expected) =>
        Assert.That(PluginCallFailedException.ErrorText(body), Is.EqualTo(expected));
}
