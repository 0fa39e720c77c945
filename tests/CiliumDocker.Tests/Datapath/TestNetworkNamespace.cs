using System.Diagnostics;
using System.Text.Json;

namespace CiliumDocker.Tests.Datapath;

/// <summary>
/// A network namespace of its own for one test (<c>ip netns add cdtest-…</c>), removed again on Dispose together
/// with every link in it. Needs root, as CI has.
/// </summary>
internal sealed class TestNetworkNamespace : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private TestNetworkNamespace(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public string Path => "/var/run/netns/" + Name;

    public static TestNetworkNamespace Create()
    {
        var name = "cdtest-" + Guid.NewGuid().ToString("N")[..8];
        Run("ip", "netns", "add", name);
        return new TestNetworkNamespace(name);
    }

    /// <summary><c>ip -n NS ARGS</c>; throws when it fails.</summary>
    public string Ip(params string[] arguments) => Run("ip", ["-n", Name, .. arguments]);

    /// <summary><c>ip -n NS -d -j link show NAME</c>, or null when there is no such link.</summary>
    public JsonElement? ShowLink(string name)
    {
        var (exitCode, output, _) = TryRun("ip", "-n", Name, "-d", "-j", "link", "show", name);
        if (exitCode != 0)
        {
            return null;
        }

        using var document = JsonDocument.Parse(output);
        return document.RootElement[0].Clone();
    }

    /// <summary>Names of all links in the namespace except lo.</summary>
    public IReadOnlyList<string> LinkNames()
    {
        using var document = JsonDocument.Parse(Ip("-j", "link", "show"));
        return [.. document.RootElement.EnumerateArray()
            .Select(link => link.GetProperty("ifname").GetString()!)
            .Where(name => name != "lo")];
    }

    /// <summary>A command run inside the namespace, which is how its /proc/sys is seen.</summary>
    public string Exec(params string[] command) => Run("ip", ["netns", "exec", Name, .. command]);

    public string RpFilter(string link) => Exec("cat", $"/proc/sys/net/ipv4/conf/{link}/rp_filter").Trim();

    public void Dispose() => TryRun("ip", "netns", "del", Name);

    public static string Run(string file, params string[] arguments)
    {
        var (exitCode, output, error) = TryRun(file, arguments);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {exitCode}: {error}");
    }

    public static (int ExitCode, string Output, string Error) TryRun(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {CommandTimeout}");
        }

        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}
