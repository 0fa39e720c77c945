using System.Diagnostics;
using System.Reflection;
using NUnit.Framework;

namespace CiliumDocker.Tests.Integration;

/// <summary>
/// The Native AOT binary the integration tests start: <c>CILIUM_DOCKER_BIN</c> when CI passes a prebuilt one,
/// otherwise published once per test run from the sources (zero warnings allowed, as in CI).
/// </summary>
[SetUpFixture]
internal sealed class PublishedBinary
{
    public const string Variable = "CILIUM_DOCKER_BIN";

    private static string? _path;

    public static string Path => _path ?? throw new InvalidOperationException("the integration set-up did not run");

    [OneTimeSetUp]
    public async Task PublishAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            Assert.That(File.Exists(given), Is.True, $"{Variable}={given} does not exist");
            _path = given;
            return;
        }

        var root = Metadata("RepositoryRoot");
        var artifacts = Metadata("ArtifactsPath");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "publish", System.IO.Path.Combine(root, "src", "CiliumDocker", "CiliumDocker.csproj"), "-c", "Release", "-r", "linux-x64", "--artifacts-path", artifacts, "-nologo" },
        };
        using var publish = Process.Start(start)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await publish.WaitForExitAsync(timeout.Token);
        Assert.That(publish.ExitCode, Is.Zero, $"dotnet publish failed:\n{await output}\n{await errors}");

        _path = System.IO.Path.Combine(artifacts, "publish", "CiliumDocker", "release_linux-x64", "cilium-docker");
        Assert.That(File.Exists(_path), Is.True, $"no binary at {_path}:\n{await output}");
    }

    private static string Metadata(string key)
        => typeof(PublishedBinary).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(attribute => attribute.Key == key).Value
            ?? throw new InvalidOperationException($"assembly metadata {key} is missing");
}
