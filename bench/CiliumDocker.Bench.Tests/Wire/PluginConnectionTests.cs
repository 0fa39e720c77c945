using CiliumDocker.Bench.Wire;

namespace CiliumDocker.Bench.Tests.Wire;

public sealed class PluginConnectionTests
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1+json\r\nContent-Length: 2\r\n\r\n{}";

    [Test]
    [CancelAfter(10_000)]
    public void Post_WithBody_SendsTheBytesDockerSends()
    {
        using var socket = new ScriptedPluginSocket(Ok);
        using var connection = new PluginConnection(socket.Path);
        const string body = """{"PoolID":"CiliumPoolv4","Address":"","Options":null}""";

        connection.Post("/IpamDriver.RequestAddress", body);

        // Byte for byte the capture in docker-20.10.24-requests.txt: empty Host, no Content-Type, a trailing newline.
        Assert.That(socket.Requests.Single(), Is.EqualTo(
            "POST /IpamDriver.RequestAddress HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 54\r\n"
            + "Accept: application/vnd.docker.plugins.v1.2+json\r\n\r\n" + body + "\n"));
    }

    [Test]
    [CancelAfter(10_000)]
    public void Post_WithoutBody_SendsContentLengthZero()
    {
        using var socket = new ScriptedPluginSocket(Ok);
        using var connection = new PluginConnection(socket.Path);

        connection.Post("/NetworkDriver.GetCapabilities", null);

        Assert.That(socket.Requests.Single(), Does.Contain("Content-Length: 0\r\n").And.EndsWith("\r\n\r\n"));
    }

    [Test]
    [CancelAfter(10_000)]
    public void Post_ChunkedAnswer_IsReassembled()
    {
        using var socket = new ScriptedPluginSocket(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{\"Addr\r\n9;ext=1\r\ness\":\"x\"}\r\n0\r\n\r\n");
        using var connection = new PluginConnection(socket.Path);

        var response = connection.Post("/IpamDriver.RequestAddress", "{}");

        Assert.That(response, Is.EqualTo(new PluginResponse(200, """{"Address":"x"}""")));
    }

    [Test]
    [CancelAfter(10_000)]
    public void Post_TwoCalls_ReuseOneConnection()
    {
        using var socket = new ScriptedPluginSocket(Ok, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 25\r\n\r\n{\"Err\":\"x\",\"Error\":\"x\"}\r\n");
        using var connection = new PluginConnection(socket.Path);

        var first = connection.Post("/NetworkDriver.Leave", "{}");
        var second = connection.Post("/NetworkDriver.Leave", "{}");

        Assert.Multiple(() =>
        {
            Assert.That(first.Succeeded, Is.True);
            Assert.That(second.Status, Is.EqualTo(500));
            Assert.That(second.Succeeded, Is.False);
            Assert.That(socket.Connections, Is.EqualTo(1));
        });
    }

    [Test]
    [CancelAfter(10_000)]
    public void Post_ConnectionDropped_ThrowsAndTheNextCallReconnects()
    {
        using var socket = new ScriptedPluginSocket(null, Ok);
        using var connection = new PluginConnection(socket.Path);

        Assert.That(() => connection.Post("/NetworkDriver.Join", "{}"),
            Throws.InstanceOf<PluginWireException>().With.Message.StartsWith("/NetworkDriver.Join: "));
        Assert.That(connection.Post("/NetworkDriver.Join", "{}").Succeeded, Is.True);
        Assert.That(socket.Connections, Is.EqualTo(2));
    }

    [Test]
    [CancelAfter(10_000)]
    public void Post_NotHttp_ThrowsPluginWireException()
    {
        using var socket = new ScriptedPluginSocket("SSH-2.0-nope\r\n\r\n");
        using var connection = new PluginConnection(socket.Path);

        Assert.That(() => connection.Post("/NetworkDriver.Join", "{}"),
            Throws.InstanceOf<PluginWireException>().With.Message.Contains("not an HTTP status line"));
    }

    [Test]
    public void Post_NoSocket_ThrowsPluginWireException()
    {
        using var connection = new PluginConnection("/tmp/" + Guid.NewGuid().ToString("N")[..12] + ".sock");

        Assert.That(() => connection.Post("/NetworkDriver.GetCapabilities", null), Throws.InstanceOf<PluginWireException>());
    }
}
