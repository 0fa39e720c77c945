namespace EndToEnd.Tests.Infrastructure;

/// <summary>tests/images/udp-echo.c, built static once per run: the busybox image has no UDP server.</summary>
internal static class UdpEcho
{
    private static readonly Lock Gate = new();

    public static string Build(string output)
    {
        lock (Gate)
        {
            if (!File.Exists(output))
            {
                var source = Path.Combine(RepositoryPaths.Root, "tests", "images", "udp-echo.c");
                Shell.MustRun("clang", "-static", "-O2", "-o", output, source);
            }

            return output;
        }
    }
}
