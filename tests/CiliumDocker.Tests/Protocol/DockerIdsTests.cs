using CiliumDocker.Infrastructure;
using CiliumDocker.Protocol;
using CiliumDocker.Tests.TestDoubles;
using NUnit.Framework;

namespace CiliumDocker.Tests.Protocol;

internal sealed class DockerIdsTests
{
    [TestCase(DockerRequests.EndpointId)]
    [TestCase("abc-def.1")]
    [TestCase("a")]
    public void RequireEndpointId_DockerLikeIds_AreAccepted(string id)
    {
        Assert.That(DockerIds.RequireEndpointId(id), Is.EqualTo(id));
    }

    [TestCase(null, "is missing")]
    [TestCase("", "is missing")]
    [TestCase("a/b", "is not a Docker id")]
    [TestCase("a..b", "is not a Docker id")]
    [TestCase("a b", "is not a Docker id")]
    [TestCase("a\u0000b", "is not a Docker id")]
    [TestCase("ä", "is not a Docker id")]
    public void RequireEndpointId_Others_AreRefused(string? id, string expected)
    {
        Assert.That(() => DockerIds.RequireEndpointId(id), Throws.TypeOf<RequestRefusedException>().With.Message.Contains(expected));
    }

    [Test]
    public void RequireNetworkId_TooLong_SaysHowLong()
    {
        Assert.That(() => DockerIds.RequireNetworkId(new string('a', DockerIds.MaxLength + 1)), Throws.TypeOf<RequestRefusedException>().With.Message.Contains("129 characters"));
    }
}
