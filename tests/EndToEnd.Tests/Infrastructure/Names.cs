namespace EndToEnd.Tests.Infrastructure;

internal static class Names
{
    /// <summary>A short unique name, so that a leftover of one run cannot collide with the next.</summary>
    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];
}
