using System.Globalization;

namespace EndToEnd.Tests.Soak;

/// <summary>
/// Makes the agent simulator misbehave at random moments, through its control socket: restarts that keep its
/// state, slow answers, and runs of 500 or 429 answers. The random choices come from a seeded generator.
/// </summary>
internal sealed class AgentFaults
{
    private readonly Random _random;
    private readonly List<string> _injected = [];

    public AgentFaults(int seed)
    {
        _random = new Random(seed);
    }

    /// <summary>What was injected, when: the log a failing run is read against.</summary>
    public IReadOnlyList<string> Injected => _injected;

    /// <summary>Faults injected, by kind (the clears that end slow periods not counted).</summary>
    public string Summary =>
        string.Create(CultureInfo.InvariantCulture, $"{Count("/restart")} restarts, {Count("\"failNext\"")} runs of failures, {Count("\"delayMs\"")} slow periods");

    private int Count(string marker) => _injected.Count(line => line.Contains(marker, StringComparison.Ordinal));

    public void Run(DateTime until, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            var pause = TimeSpan.FromMilliseconds(_random.Next(1_000, 4_000));
            if (DateTime.UtcNow + pause >= until)
            {
                break;
            }

            cancellationToken.WaitHandle.WaitOne(pause);
            switch (_random.Next(4))
            {
                case 0:
                    Inject(started, "/restart", $$"""{"keepState":true,"downMs":{{_random.Next(200, 3_000)}}}""");
                    break;
                case 1:
                    Inject(started, "/faults", $$"""{"delayMs":{{_random.Next(100, 1_500)}}}""");
                    cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(_random.Next(1_000, 4_000)));
                    Inject(started, "/faults/clear", "{}");
                    break;
                case 2:
                    Inject(started, "/faults", $$"""{"failNext":{{_random.Next(1, 4)}},"status":500}""");
                    break;
                default:
                    Inject(started, "/faults", $$"""{"failNext":{{_random.Next(1, 4)}},"status":429}""");
                    break;
            }
        }
    }

    /// <summary>Ends every fault; waits (bounded) for the agent to answer again after a restart.</summary>
    public static bool ClearAndWaitForAgent(TimeSpan timeout) =>
        Eventually.Until(() =>
        {
            try
            {
                E2EEnvironment.Simulator.Control("/faults/clear", "{}");
                E2EEnvironment.Simulator.Endpoints();
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout);

    private void Inject(DateTime started, string path, string json)
    {
        var at = (DateTime.UtcNow - started).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s: ";
        try
        {
            E2EEnvironment.Simulator.Control(path, json);
            _injected.Add(at + path + " " + json);
        }
        catch (HttpRequestException e)
        {
            // The control socket may be briefly unavailable while the simulator restarts; the soak goes on.
            _injected.Add(at + path + " " + json + " (not applied: " + e.Message + ")");
        }
    }
}
