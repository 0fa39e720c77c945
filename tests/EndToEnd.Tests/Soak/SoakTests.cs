using System.Globalization;
using System.Text;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Soak;

/// <summary>
/// Container churn through the real dockerd while the agent simulator is restarted, slowed down and made to fail
/// at random. Every <c>docker run</c> must start or fail with a clear error; afterwards nothing may be left at the
/// agent or on the host, and the plugin must not have grown. CI runs it for <c>SOAK_SECONDS</c> = 60; by hand:
/// <c>SOAK_SECONDS=1800 dotnet test tests/EndToEnd.Tests -c Release --filter Category=Soak</c>.
/// </summary>
[TestFixture]
[Category("Soak")]
public sealed class SoakTests : PluginFixture
{
    private const string SoakLabel = "soak=1";
    private const int ChurnWorkers = 2;
    private const int WarmupRuns = 5;
    private const double RssGrowthLimit = 1.5;

    /// <summary>
    /// The RSS the end is compared with is the one a third into the churn: the GC's heaps and the connection pools
    /// have grown to their working size by then (they do under the faults, more than in the quiet warm-up), and a
    /// leak keeps growing over the remaining two thirds.
    /// </summary>
    private const double SettledAt = 1.0 / 3;
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(60);

    public SoakTests()
        : base("cilium-e2e/soak:test")
    {
    }

    [Test]
    public void ContainerChurn_WhileTheAgentRestartsSlowsAndFails_EveryRunStartsOrFailsClearlyAndNothingLeaks()
    {
        var settings = SoakSettings.FromEnvironment();
        TestContext.Progress.WriteLine($"soak: {settings.Duration.TotalSeconds:0} s of churn, seed {settings.Seed} (replay with SOAK_SEED={settings.Seed})");
        var network = CreateNetwork();
        Cleanup.Add(RemoveSoakContainers);
        Cleanup.Add(() => AgentFaults.ClearAndWaitForAgent(TimeSpan.FromSeconds(30)));

        // Warm-up with the soak's own concurrency and no faults, so that the RSS baseline is the plugin's working size.
        var warmups = Enumerable.Range(0, ChurnWorkers).Select(_ => new ContainerChurn(network)).ToArray();
        Parallel.ForEach(warmups, warmup => warmup.Run(DateTime.UtcNow.AddMinutes(5), WarmupRuns, CancellationToken.None));
        Assert.That(warmups.SelectMany(w => w.Failures), Is.Empty, "without faults every docker run must succeed");
        var pid = ManagedPlugin.Pid(Plugin);
        var rssAfterWarmup = Leaks.RssKiB(pid);

        var churns = Enumerable.Range(0, ChurnWorkers).Select(_ => new ContainerChurn(network)).ToArray();
        var faults = new AgentFaults(settings.Seed);
        var rss = Soak(settings.Duration, churns, faults, pid);

        var agentBack = AgentFaults.ClearAndWaitForAgent(TimeSpan.FromSeconds(60));
        RemoveSoakContainers();
        // The plugin releases what Docker's stop path could not while the agent failed in the background: wait for it, bounded.
        Eventually.Until(() => Settled(), SettleLimit, TimeSpan.FromSeconds(1));
        var pidAfter = ManagedPlugin.Pid(Plugin);
        var rssEnd = pidAfter == pid ? Leaks.RssKiB(pid) : 0;
        var rssSettled = rss.SettledKiB(settings.Duration * SettledAt) ?? rssAfterWarmup;
        var failures = churns.SelectMany(c => c.Failures).ToArray();
        var unclear = failures.Where(f => !DockerRunError.IsClear(f)).ToArray();
        Report(churns, failures, faults, rssAfterWarmup, rss, rssEnd);

        Assert.Multiple(() =>
        {
            Assert.That(agentBack, Is.True, "the agent simulator did not answer again after the faults were cleared");
            Assert.That(churns.Sum(c => c.Started), Is.GreaterThan(0), "no container started at all during the soak");
            Assert.That(unclear, Is.Empty, "docker run failures without a clear error");
            Assert.That(churns.SelectMany(c => c.RemoveFailures), Is.Empty, "docker rm -f failures");
            Assert.That(pidAfter, Is.EqualTo(pid), "the plugin process was restarted during the soak (it crashed)");
            Assert.That(Leaks.AddressesWithoutEndpoint(), Is.Empty, "addresses allocated at the agent that no endpoint holds");
            Assert.That(Leaks.EndpointsWithoutContainer(), Is.Empty, "agent endpoints without a running container");
            Assert.That(Leaks.Veths(), Is.Empty, "veths left on the host");
            Assert.That(rssEnd, Is.LessThanOrEqualTo(rssSettled * RssGrowthLimit),
                $"plugin RSS grew from {rssSettled} KiB a third into the soak to {rssEnd} KiB at the end: {rss}");
        });
    }

    /// <summary>Runs the churn workers and the fault injector until the duration ends, sampling the plugin's RSS.</summary>
    private static RssTimeline Soak(TimeSpan duration, ContainerChurn[] churns, AgentFaults faults, int pid)
    {
        var until = DateTime.UtcNow + duration;
        var rss = new RssTimeline();
        // A hang guard only: every docker command has its own 90 s limit, so the loops end soon after `until`.
        using var guard = new CancellationTokenSource(duration + TimeSpan.FromMinutes(5));
        var tasks = churns
            .Select(churn => Task.Factory.StartNew(() => churn.Run(until, int.MaxValue, guard.Token), TaskCreationOptions.LongRunning))
            .Append(Task.Factory.StartNew(() => faults.Run(until, guard.Token), TaskCreationOptions.LongRunning))
            .ToArray();
        do
        {
            if (File.Exists($"/proc/{pid}/status"))
            {
                rss.Add(Leaks.RssKiB(pid));
            }
        }
        while (!Task.WaitAll(tasks, TimeSpan.FromSeconds(2)));

        return rss;
    }

    private static bool Settled()
    {
        try
        {
            return Leaks.AddressesWithoutEndpoint().Count == 0 && Leaks.EndpointsWithoutContainer().Count == 0 && Leaks.Veths().Count == 0;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static void RemoveSoakContainers()
    {
        var ids = Docker.Lines(Docker.Run("ps", "-aq", "--filter", "label=" + SoakLabel).Output);
        if (ids.Count > 0)
        {
            Docker.TryRun(["rm", "-f", .. ids]);
        }
    }

    private static void Report(ContainerChurn[] churns, string[] failures, AgentFaults faults, long rssAfterWarmup, RssTimeline rss, long rssEnd)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"soak: {churns.Sum(c => c.Started)} containers started, {failures.Length} docker run failures; faults: {faults.Summary}");
        text.AppendLine(CultureInfo.InvariantCulture, $"plugin RSS: {rssAfterWarmup} KiB after warm-up, {rss.PeakKiB} KiB peak, {rssEnd} KiB at the end; during the churn {rss}");
        foreach (var group in failures.GroupBy(DockerRunError.Shape, StringComparer.Ordinal).OrderByDescending(g => g.Count()))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {group.Count()}x {(DockerRunError.IsClear(group.Key) ? "clear" : "UNCLEAR")}: {group.Key}");
        }

        TestContext.Progress.Write(text.ToString());
        TestContext.Out.WriteLine("faults injected:\n  " + string.Join("\n  ", faults.Injected));
    }
}
