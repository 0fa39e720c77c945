using System.Collections.Concurrent;

namespace CiliumDocker.Observability;

/// <summary>Counters the plugin keeps itself; <c>/metrics</c> renders them with the gauges read at scrape time.</summary>
internal sealed class PluginMetrics
{
    /// <summary>Upper bounds, in seconds, of the request duration histogram.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30];

    private readonly ConcurrentDictionary<string, CallStatistics> _calls = new(StringComparer.Ordinal);
    private long _endpointsCreated;
    private long _endpointsDeleted;
    private long _addressesAllocated;
    private long _addressesReleased;

    public long EndpointsCreated => Interlocked.Read(ref _endpointsCreated);

    public long EndpointsDeleted => Interlocked.Read(ref _endpointsDeleted);

    public long AddressesAllocated => Interlocked.Read(ref _addressesAllocated);

    public long AddressesReleased => Interlocked.Read(ref _addressesReleased);

    public void RecordCall(string call, CallOutcome outcome, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(call);
        _calls.GetOrAdd(call, static _ => new CallStatistics()).Record(outcome, duration);
    }

    public void RecordEndpointCreated() => Interlocked.Increment(ref _endpointsCreated);

    public void RecordEndpointDeleted() => Interlocked.Increment(ref _endpointsDeleted);

    public void RecordAddressAllocated() => Interlocked.Increment(ref _addressesAllocated);

    public void RecordAddressReleased() => Interlocked.Increment(ref _addressesReleased);

    /// <summary>A consistent-enough copy per call name, sorted for stable output.</summary>
    public IReadOnlyList<CallSnapshot> SnapshotCalls()
        => [.. _calls.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Value.Snapshot(pair.Key))];

    internal sealed record CallSnapshot(string Call, IReadOnlyDictionary<CallOutcome, long> Outcomes, IReadOnlyList<long> CumulativeBuckets, long Count, double SumSeconds);

    private sealed class CallStatistics
    {
        private readonly long[] _outcomes = new long[Enum.GetValues<CallOutcome>().Length];
        private readonly long[] _buckets = new long[DurationBuckets.Count + 1];
        private long _sumTicks;

        public void Record(CallOutcome outcome, TimeSpan duration)
        {
            Interlocked.Increment(ref _outcomes[(int)outcome]);
            var seconds = duration.TotalSeconds;
            var bucket = 0;
            while (bucket < DurationBuckets.Count && seconds > DurationBuckets[bucket])
            {
                bucket++;
            }

            Interlocked.Increment(ref _buckets[bucket]);
            Interlocked.Add(ref _sumTicks, duration.Ticks);
        }

        public CallSnapshot Snapshot(string call)
        {
            var outcomes = new Dictionary<CallOutcome, long>();
            foreach (var outcome in Enum.GetValues<CallOutcome>())
            {
                outcomes[outcome] = Interlocked.Read(ref _outcomes[(int)outcome]);
            }

            var cumulative = new long[_buckets.Length];
            long running = 0;
            for (var i = 0; i < _buckets.Length; i++)
            {
                running += Interlocked.Read(ref _buckets[i]);
                cumulative[i] = running;
            }

            return new CallSnapshot(call, outcomes, cumulative, running, TimeSpan.FromTicks(Interlocked.Read(ref _sumTicks)).TotalSeconds);
        }
    }
}
