using System.Net.Sockets;
using CiliumDocker.Labels;
using NUnit.Framework;

namespace CiliumDocker.Tests.Labels;

[TestFixture]
internal sealed class DockerHostTests
{
    [Test]
    public void Parse_UnixUrl_GivesSocketPath()
    {
        var host = DockerHost.Parse("unix:///var/run/docker.sock");

        Assert.Multiple(() =>
        {
            Assert.That(host.IsUnix, Is.True);
            Assert.That(host.SocketPath, Is.EqualTo("/var/run/docker.sock"));
            Assert.That(host.BaseAddress, Is.EqualTo(new Uri("http://localhost/")));
            Assert.That(host.ToString(), Is.EqualTo("unix:///var/run/docker.sock"));
        });
    }

    [TestCase("tcp://127.0.0.1:2375", "127.0.0.1", 2375, "http://127.0.0.1:2375/")]
    [TestCase("tcp://docker.example:2376", "docker.example", 2376, "http://docker.example:2376/")]
    [TestCase("tcp://[::1]:2375", "::1", 2375, "http://[::1]:2375/")]
    public void Parse_TcpUrl_GivesHostAndPort(string value, string expectedHost, int expectedPort, string expectedBase)
    {
        var host = DockerHost.Parse(value);

        Assert.Multiple(() =>
        {
            Assert.That(host.IsUnix, Is.False);
            Assert.That(host.TcpHost, Is.EqualTo(expectedHost));
            Assert.That(host.TcpPort, Is.EqualTo(expectedPort));
            Assert.That(host.BaseAddress, Is.EqualTo(new Uri(expectedBase)));
            Assert.That(host.DescribeUnusableSocket(), Is.Null);
        });
    }

    [TestCase("/var/run/docker.sock", "expected unix:///path/to/the.sock or tcp://host:port")]
    [TestCase("http://127.0.0.1:2375", "expected unix:// or tcp://")]
    [TestCase("npipe:////./pipe/docker_engine", "expected unix:// or tcp://")]
    [TestCase("unix://var/run/docker.sock", "must be absolute")]
    [TestCase("tcp://127.0.0.1", "expected tcp://host:port")]
    [TestCase("tcp://127.0.0.1:2375/v1.41", "expected tcp://host:port")]
    [TestCase("tcp://", "expected tcp://host:port")]
    public void Parse_UnsupportedForm_ThrowsWithWhatIsAccepted(string value, string expectedHint)
    {
        var ex = Assert.Throws<FormatException>(() => DockerHost.Parse(value));

        Assert.That(ex!.Message, Does.Contain($"'{value}'").And.Contain(expectedHint));
    }

    [Test]
    public void Parse_SocketPathTooLong_Throws()
    {
        var value = "unix:///" + new string('a', 107);

        var ex = Assert.Throws<FormatException>(() => DockerHost.Parse(value));

        Assert.That(ex!.Message, Does.Contain("107 bytes"));
    }

    [Test]
    public void DescribeUnusableSocket_Missing_SaysSo()
    {
        var path = $"/tmp/{Guid.NewGuid():N}.sock";

        var why = DockerHost.Parse("unix://" + path).DescribeUnusableSocket();

        Assert.That(why, Is.EqualTo($"{path} does not exist"));
    }

    [Test]
    public void DescribeUnusableSocket_Directory_SaysItIsNotTheSocket()
    {
        // What a bind mount looks like inside the plugin when Docker had to create its target as a directory.
        var path = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var why = DockerHost.Parse("unix://" + path).DescribeUnusableSocket();

            Assert.That(why, Is.EqualTo($"{path} is a directory, not the Docker socket"));
        }
        finally
        {
            Directory.Delete(path);
        }
    }

    [Test]
    public void DescribeUnusableSocket_RegularFile_SaysItIsNotTheSocket()
    {
        var path = Path.GetTempFileName();
        try
        {
            var why = DockerHost.Parse("unix://" + path).DescribeUnusableSocket();

            Assert.That(why, Is.EqualTo($"{path} is a regular file, not the Docker socket"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void DescribeUnusableSocket_CharacterDevice_SaysItIsNotASocket()
    {
        Assert.That(DockerHost.Parse("unix:///dev/null").DescribeUnusableSocket(), Is.EqualTo("/dev/null is not a socket"));
    }

    [Test]
    public void DescribeUnusableSocket_ListeningSocket_IsNull()
    {
        var path = $"/tmp/{Guid.NewGuid():N}.sock";
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            Assert.That(DockerHost.Parse("unix://" + path).DescribeUnusableSocket(), Is.Null);
        }
        finally
        {
            listener.Dispose();
            File.Delete(path);
        }
    }
}
