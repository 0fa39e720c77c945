using System.Text.Json;
using CiliumDocker.Protocol;
using NUnit.Framework;

namespace CiliumDocker.Tests.Protocol;

/// <summary>Responses go out with Go's field names and types, nothing Docker would choke on.</summary>
internal sealed class DockerJsonContextTests
{
    private static readonly DockerJsonContext Json = DockerJsonContext.Default;

    [Test]
    public void Serialize_Error_CarriesBothKeys()
    {
        Assert.That(JsonSerializer.Serialize(new PluginErrorResponse("boom"), Json.PluginErrorResponse), Is.EqualTo("""{"Err":"boom","Error":"boom"}"""));
    }

    [Test]
    public void Serialize_EmptyResponse_IsAnEmptyObject()
    {
        Assert.That(JsonSerializer.Serialize(EmptyResponse.Instance, Json.EmptyResponse), Is.EqualTo("{}"));
    }

    [Test]
    public void Serialize_CreateEndpointWithoutInterface_IsAnEmptyObject()
    {
        Assert.That(JsonSerializer.Serialize(new CreateEndpointResponse(), Json.CreateEndpointResponse), Is.EqualTo("{}"));
    }

    [Test]
    public void Serialize_JoinDualStack_UsesGoNamesAndNumericRouteTypes()
    {
        var join = new JoinResponse
        {
            InterfaceName = new InterfaceName { SrcName = "tmp0123456789ab", DstPrefix = "cilium" },
            Gateway = "10.11.0.1",
            GatewayIPv6 = "fd00:11::1",
            StaticRoutes = [new StaticRoute { Destination = "fd00:11::/112", RouteType = StaticRoute.NextHop, NextHopAddress = "fd00:11::1" }],
            DisableGatewayService = true,
        };

        Assert.That(
            JsonSerializer.Serialize(join, Json.JoinResponse),
            Is.EqualTo("""{"InterfaceName":{"SrcName":"tmp0123456789ab","DstPrefix":"cilium"},"Gateway":"10.11.0.1","GatewayIPv6":"fd00:11::1","StaticRoutes":[{"Destination":"fd00:11::/112","RouteType":0,"NextHop":"fd00:11::1"}],"DisableGatewayService":true}"""));
    }

    [Test]
    public void Serialize_RequestPool_DataMapHasStringValues()
    {
        var pool = new RequestPoolResponse { PoolId = "CiliumPoolv6", Pool = "fd00:11::/112", Data = new() { ["com.docker.network.gateway"] = "fd00:11::1/128" } };

        Assert.That(JsonSerializer.Serialize(pool, Json.RequestPoolResponse), Is.EqualTo("""{"PoolID":"CiliumPoolv6","Pool":"fd00:11::/112","Data":{"com.docker.network.gateway":"fd00:11::1/128"}}"""));
    }

    [Test]
    public void Serialize_MessageWithQuotesAndControlCharacters_IsEscaped()
    {
        var json = JsonSerializer.Serialize(new PluginErrorResponse("bad \"id\"\n<x>"), Json.PluginErrorResponse);

        Assert.That(JsonDocument.Parse(json).RootElement.GetProperty("Err").GetString(), Is.EqualTo("bad \"id\"\n<x>"));
    }
}
