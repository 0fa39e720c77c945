using System.Text.RegularExpressions;

namespace EndToEnd.Tests.Soak;

/// <summary>
/// Tells a clear failure of <c>docker run</c> (the plugin answered a call with a message, and Docker passed it on)
/// from an unclear one (a crash, a cut connection, a timeout, or Docker tripping over a bad answer).
/// </summary>
internal static partial class DockerRunError
{
    private static readonly string[] UnclearMarkers =
    [
        "panic", "goroutine ", "EOF", "broken pipe", "connection reset", "connection refused", "context deadline exceeded",
        "Client.Timeout", "killed after", "No address returned", "Unable to connect to plugin",
    ];

    public static bool IsClear(string error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Contains("Error response from daemon", StringComparison.Ordinal)
            && PluginMessage().IsMatch(error)
            && !UnclearMarkers.Any(marker => error.Contains(marker, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The error with its ids replaced, so that the same failure of different containers groups together.</summary>
    public static string Shape(string error) => HexId().Replace(error, "<id>");

    [GeneratedRegex("[0-9a-f]{12,64}")]
    private static partial Regex HexId();

    /// <summary>Docker's <c>&lt;Driver&gt;.&lt;Method&gt;: &lt;message&gt;</c> with a message that says something.</summary>
    [GeneratedRegex(@"(NetworkDriver|IpamDriver)\.[A-Za-z]+: \S{2,}")]
    private static partial Regex PluginMessage();
}
