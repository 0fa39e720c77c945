using System.Text;
using CiliumDocker.Agent;
using NUnit.Framework;

namespace CiliumDocker.Tests.Agent;

[TestFixture]
internal sealed class AgentErrorTextTests
{
    [TestCase("\"IP is in use by endpoint 12\"", "IP is in use by endpoint 12")]
    [TestCase("\"IP is in use by endpoint 12\"\n", "IP is in use by endpoint 12")]
    [TestCase("{\"code\":602,\"message\":\"bad family\"}", "bad family")]
    [TestCase("404 page not found\n", "404 page not found")]
    [TestCase("{\"unexpected\":true}", "{\"unexpected\":true}")]
    [TestCase("42", "42")]
    [TestCase("\"endpoint not found\"\n", "endpoint not found")]
    [TestCase("\"request would have to wait 22.5s to be served (maximum wait duration: 15s)\"", "request would have to wait 22.5s to be served (maximum wait duration: 15s)")]
    [TestCase("{\"code\":606,\"message\":\"state in body should be one of [waiting-for-identity not-ready]\"}", "state in body should be one of [waiting-for-identity not-ready]")]
    [TestCase("Access denied\n", "Access denied")]
    public void DecodeMessage_AgentBody_ReturnsItsText(string body, string expected)
    {
        Assert.That(AgentErrorText.DecodeMessage(Encoding.UTF8.GetBytes(body)), Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("  \n")]
    [TestCase("\"\"")]
    public void DecodeMessage_NoText_ReturnsNull(string body)
    {
        Assert.That(AgentErrorText.DecodeMessage(Encoding.UTF8.GetBytes(body)), Is.Null);
    }

    [Test]
    public void DecodeMessage_HugeBody_IsShortened()
    {
        var message = AgentErrorText.DecodeMessage(Encoding.UTF8.GetBytes(new string('x', 5000)));

        Assert.That(message, Has.Length.EqualTo(515).And.EndWith("..."));
    }

    [TestCase(10_000, "10 s")]
    [TestCase(250, "250 ms")]
    [TestCase(1_500, "1500 ms")]
    public void FormatDuration_Value_ReadsNaturally(int milliseconds, string expected)
    {
        Assert.That(AgentErrorText.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)), Is.EqualTo(expected));
    }
}
