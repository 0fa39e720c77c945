namespace CiliumDocker.Bench.Processes;

/// <summary>
/// A short temp directory (<c>/tmp/cb-XXXXXXXX</c>: socket paths must stay under 108 bytes), removed on dispose.
/// <c>BENCH_WORK_ROOT</c> puts it elsewhere, e.g. on tmpfs (<c>/dev/shm</c>) to take the disk out of the plugin's
/// state-file writes.
/// </summary>
internal sealed class WorkDirectory : IDisposable
{
    private WorkDirectory(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public static WorkDirectory Create()
    {
        var root = Environment.GetEnvironmentVariable("BENCH_WORK_ROOT") is { Length: > 0 } configured ? configured : "/tmp";
        return new(Directory.CreateDirectory(System.IO.Path.Combine(root, "cb-" + Guid.NewGuid().ToString("N")[..8])).FullName);
    }

    public string Sub(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    /// <summary>Kept when <c>BENCH_KEEP_LOGS</c> is set, to read the plugin's and the simulator's logs.</summary>
    public void Dispose()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("BENCH_KEEP_LOGS")))
        {
            Directory.Delete(Path, recursive: true);
        }
        else
        {
            Console.Error.WriteLine("logs kept in " + Path);
        }
    }
}
