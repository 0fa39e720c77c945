using CiliumAgentSim.State;

namespace CiliumAgentSim.Tests.State;

internal sealed class EndpointIdTests
{
    [TestCase("cilium-local:42", EndpointIdKind.CiliumLocal, "42")]
    [TestCase("42", EndpointIdKind.CiliumLocal, "42")]
    [TestCase("cilium-local:0", EndpointIdKind.CiliumLocal, "0")]
    [TestCase("cilium-local:65535", EndpointIdKind.CiliumLocal, "65535")]
    [TestCase("docker-endpoint:3f1c", EndpointIdKind.DockerEndpoint, "3f1c")]
    [TestCase("ipv6:f00d::1", EndpointIdKind.IPv6, "f00d::1")]
    [TestCase("cni-attachment-id:abc:eth0", EndpointIdKind.CniAttachmentId, "abc:eth0")]
    public void TryParse_ValidForms_SplitsAtFirstColon(string text, EndpointIdKind kind, string value)
    {
        Assert.That(EndpointId.TryParse(text, out var id, out var error), Is.True, error);
        Assert.That(id, Is.EqualTo(new EndpointId(kind, value)));
    }

    [TestCase("cilium-global:1", "unsupported")]
    [TestCase("colour:blue", "unknown endpoint ID prefix \"colour\"")]
    [TestCase("cilium-local:65536", "invalid numeric cilium id")]
    [TestCase("cilium-local:-1", "invalid numeric cilium id")]
    [TestCase("", "invalid numeric cilium id")]
    [TestCase("container-id:", "empty endpoint ID")]
    public void TryParse_BadForms_ExplainsWhy(string text, string expected)
    {
        Assert.That(EndpointId.TryParse(text, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(expected));
    }
}
