using System.Collections.Concurrent;

namespace EndToEnd.Tests.Soak;

/// <summary>
/// Starts and removes small containers on one network, keeping a few alive at a time, through the docker CLI.
/// Every failed <c>docker run</c> is kept with its error text, and its half-created container is removed.
/// </summary>
internal sealed class ContainerChurn
{
    private const int AliveAtOnce = 2;
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(90);

    private readonly string _network;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<string> _removeFailures = new();
    private readonly ConcurrentDictionary<string, bool> _names = new(StringComparer.Ordinal);
    private int _started;

    public ContainerChurn(string network)
    {
        _network = network;
    }

    public int Started => Volatile.Read(ref _started);

    /// <summary>The error text of each failed <c>docker run</c>.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>The error text of each failed <c>docker rm -f</c>; Docker ignores the plugin's stop-side errors, so there should be none.</summary>
    public IReadOnlyCollection<string> RemoveFailures => _removeFailures;

    /// <summary>Every container name the churn ever used, for the final clean-up.</summary>
    public IEnumerable<string> Names => _names.Keys;

    /// <summary>Churns until <paramref name="until"/> (or <paramref name="cycles"/> runs), then removes what it still holds.</summary>
    public void Run(DateTime until, int cycles, CancellationToken cancellationToken)
    {
        var alive = new Queue<string>();
        for (var i = 0; i < cycles && DateTime.UtcNow < until && !cancellationToken.IsCancellationRequested; i++)
        {
            var name = Infrastructure.Names.Unique("soak");
            _names[name] = true;
            var run = Docker.Run(CommandLimit, "run", "-d", "--name", name, "--net", _network, "-l", "soak=1", E2EEnvironment.Image, "sleep", "600");
            if (run.Succeeded)
            {
                Interlocked.Increment(ref _started);
                alive.Enqueue(name);
            }
            else
            {
                _failures.Enqueue(run.StdErr.Trim() is { Length: > 0 } error ? error : run.ToString());
                Remove(name);
            }

            while (alive.Count > AliveAtOnce)
            {
                Remove(alive.Dequeue());
            }
        }

        while (alive.Count > 0)
        {
            Remove(alive.Dequeue());
        }
    }

    private void Remove(string name)
    {
        var result = Docker.Run(CommandLimit, "rm", "-f", name);
        if (!result.Succeeded && !result.StdErr.Contains("No such container", StringComparison.Ordinal))
        {
            _removeFailures.Enqueue(result.ToString());
        }
    }
}
