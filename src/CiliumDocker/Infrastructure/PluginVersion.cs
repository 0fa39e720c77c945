using System.Reflection;

namespace CiliumDocker.Infrastructure;

internal static class PluginVersion
{
    /// <summary>The informational version without the source revision the SDK appends after '+'.</summary>
    public static string Current { get; } = Read();

    private static string Read()
    {
        var version = typeof(PluginVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
