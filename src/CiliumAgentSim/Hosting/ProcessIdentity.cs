namespace CiliumAgentSim.Hosting;

internal static class ProcessIdentity
{
    /// <summary>Effective uid 0, read from <c>/proc/self/status</c> (no native interop needed).</summary>
    public static bool IsRoot()
    {
        var uidLine = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var fields = uidLine?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 2 } && fields[2] == "0";
    }
}
