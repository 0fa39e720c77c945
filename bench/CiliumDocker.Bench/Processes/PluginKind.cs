namespace CiliumDocker.Bench.Processes;

/// <summary>Which plugin binary a benchmark runs: this project's, or Cilium's own Go <c>cilium-docker</c> (the peer).</summary>
internal enum PluginKind
{
    Ours,
    Original,
}

internal static class PluginKinds
{
    /// <summary>The names <c>--plugin</c> takes.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ours", "original"];

    public static string Name(this PluginKind kind) => kind switch
    {
        PluginKind.Ours => "ours",
        PluginKind.Original => "original",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static PluginKind Parse(string name) => name switch
    {
        "ours" => PluginKind.Ours,
        "original" => PluginKind.Original,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "expected one of: " + string.Join(", ", Names)),
    };
}
