using System.Text;
using CiliumDocker.Infrastructure;
using CiliumDocker.Protocol;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Protocol;

/// <summary>Parsing of the exact bodies Docker 20.10.24 sent, and of what Docker never sends.</summary>
internal sealed class PluginRequestBodyTests
{
    private static readonly DockerJsonContext Json = DockerJsonContext.Default;

    [Test]
    public void Deserialize_DockerCreateNetwork_ReadsIdsPoolsAndRawOptions()
    {
        var request = Parse(DockerRequests.CreateNetworkJson, Json.CreateNetworkRequest);

        Assert.Multiple(() =>
        {
            Assert.That(request.NetworkId, Is.EqualTo(DockerRequests.NetworkId));
            Assert.That(request.IPv4Data!.Single().Pool, Is.EqualTo("0.0.0.0/0"));
            Assert.That(request.IPv4Data!.Single().Gateway, Is.EqualTo("10.11.0.1/32"));
            Assert.That(request.IPv6Data, Is.Empty);
            Assert.That(request.Options!["com.docker.network.enable_ipv6"].GetBoolean(), Is.False);
        });
    }

    [Test]
    public void Deserialize_DockerCreateEndpoint_ReadsInterfaceAndListOptions()
    {
        var request = Parse(DockerRequests.CreateEndpointJson, Json.CreateEndpointRequest);

        Assert.Multiple(() =>
        {
            Assert.That(request.EndpointId, Is.EqualTo(DockerRequests.EndpointId));
            Assert.That(request.Interface!.Address, Is.EqualTo("10.11.0.2/32"));
            Assert.That(request.Interface.AddressIPv6, Is.Empty);
            Assert.That(request.Interface.MacAddress, Is.Empty);
            Assert.That(request.Options!["com.docker.network.portmap"].GetArrayLength(), Is.Zero);
        });
    }

    [Test]
    public void Deserialize_DockerRequestAddressWithNullOptions_Reads()
    {
        var request = Parse(DockerRequests.RequestAddressJson, Json.RequestAddressRequest);

        Assert.That((request.PoolId, request.Address, request.Options), Is.EqualTo(("CiliumPoolv4", string.Empty, (Dictionary<string, string>?)null)));
    }

    [Test]
    public void Deserialize_DockerJoinAndRequestPool_Read()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Parse(DockerRequests.JoinJson, Json.JoinRequest).SandboxKey, Is.EqualTo("/var/run/docker/netns/10de18e20ce2"));
            Assert.That(Parse(DockerRequests.RequestPoolJson, Json.RequestPoolRequest).AddressSpace, Is.EqualTo("CiliumLocal"));
        });
    }

    [Test]
    public void Deserialize_LowercaseKeys_ReadLikeGoDoes()
    {
        Assert.That(Parse("""{"poolid":"CiliumPoolv4","address":"10.11.0.9"}""", Json.RequestAddressRequest).Address, Is.EqualTo("10.11.0.9"));
    }

    [TestCase("")]
    [TestCase("   \n")]
    public void Deserialize_EmptyBody_ExplainsThatJsonIsNeeded(string body)
    {
        var error = Assert.Throws<RequestRefusedException>(() => Parse(body, Json.EndpointRequest));

        Assert.That(error.Message, Does.Contain("the request body is empty, but NetworkDriver.Test needs a JSON object"));
    }

    [TestCase("{", "is not the JSON object Docker sends")]
    [TestCase("{\"V6\":1}", "is not the JSON object Docker sends")]
    [TestCase("null", "is JSON null")]
    public void Deserialize_BadBody_Explains(string body, string expected)
    {
        var error = Assert.Throws<RequestRefusedException>(() => Parse(body, Json.RequestPoolRequest));

        Assert.That(error.Message, Does.Contain(expected));
    }

    private static T Parse<T>(string body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
        where T : class
        => PluginRequestBody.Deserialize(Encoding.UTF8.GetBytes(body), typeInfo, "NetworkDriver.Test");
}
