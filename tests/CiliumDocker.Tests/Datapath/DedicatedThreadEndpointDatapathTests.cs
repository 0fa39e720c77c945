using CiliumDocker.Datapath;
using NUnit.Framework;

namespace CiliumDocker.Tests.Datapath;

internal sealed class DedicatedThreadEndpointDatapathTests
{
    private static readonly VethPair Pair = new("lxc1", 7, "02:00:00:00:00:01", "tmp1", "02:00:00:00:00:02");
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Calls_RunOnItsOwnThreads_AndTheCallerResumesOnThePool()
    {
        // The call is held inside the datapath until its continuation is registered: otherwise a call that completed
        // first would resume the caller on its own thread and prove nothing.
        using var release = new ManualResetEventSlim();
        var inner = new RecordingDatapath { Inside = () => release.Wait(Guard) };
        using var datapath = new DedicatedThreadEndpointDatapath(inner, maxThreads: 2);

        var call = datapath.CreateAsync(Request("ep1"), CancellationToken.None);
        var resumed = call.ContinueWith(_ => (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        release.Set();
        var (resumedOn, resumedOnPool) = await resumed.WaitAsync(Guard);
        await datapath.DeleteAsync("ep1", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(call.Result, Is.SameAs(Pair));
            Assert.That(inner.Threads, Has.All.EqualTo("datapath"), "neither the caller's thread nor the pool's");
            Assert.That(resumedOn, Is.Not.EqualTo("datapath"), "the datapath's thread goes back to its next call");
            Assert.That(resumedOnPool, Is.True);
        });
    }

    [Test]
    public async Task BlockingCalls_UpToTheLimit_RunAtOnce()
    {
        // Each call blocks until three are inside at the same time: with fewer threads they never would be.
        using var together = new Barrier(3);
        var inner = new RecordingDatapath { Inside = () => together.SignalAndWait(Guard) };
        using var datapath = new DedicatedThreadEndpointDatapath(inner, maxThreads: 3);

        var calls = Enumerable.Range(0, 3).Select(i => datapath.DeleteAsync($"ep{i}", CancellationToken.None)).ToArray();
        await Task.WhenAll(calls).WaitAsync(Guard * 2);

        Assert.That(inner.MetTheOthers, Is.EqualTo(new[] { true, true, true }));
    }

    [Test]
    public void Failure_OfTheBlockingDatapath_ReachesTheCaller()
    {
        using var datapath = new DedicatedThreadEndpointDatapath(new RecordingDatapath { Failure = new DatapathException("unable to create veth pair: EPERM") }, maxThreads: 1);

        Assert.Multiple(() =>
        {
            Assert.That(() => datapath.CreateAsync(Request("ep1"), CancellationToken.None), Throws.TypeOf<DatapathException>().With.Message.Contains("EPERM"));
            Assert.That(() => datapath.DeleteAsync("ep1", CancellationToken.None), Throws.TypeOf<DatapathException>());
        });
    }

    [Test]
    public async Task Cancellation_ReachesTheBlockingDatapath()
    {
        var inner = new RecordingDatapath();
        using var datapath = new DedicatedThreadEndpointDatapath(inner, maxThreads: 1);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await datapath.DeleteAsync("ep1", cancellation.Token);

        Assert.That(inner.SawCancellation, Is.True);
    }

    [Test]
    public void Call_AfterDispose_IsRefused()
    {
        var datapath = new DedicatedThreadEndpointDatapath(new RecordingDatapath(), maxThreads: 1);
        datapath.Dispose();

        Assert.That(() => datapath.DeleteAsync("ep1", CancellationToken.None), Throws.TypeOf<ObjectDisposedException>());
    }

    private static VethRequest Request(string endpointId) => new(endpointId, null, 1500, default);

    private sealed class RecordingDatapath : IEndpointDatapath
    {
        private readonly Lock _gate = new();

        public List<string?> Threads { get; } = [];

        public List<bool> MetTheOthers { get; } = [];

        public Func<bool>? Inside { get; init; }

        public Exception? Failure { get; init; }

        public bool SawCancellation { get; private set; }

        public Task<VethPair> CreateAsync(VethRequest request, CancellationToken cancellationToken)
        {
            Record(cancellationToken);
            return Failure is null ? Task.FromResult(Pair) : throw Failure;
        }

        public Task DeleteAsync(string endpointId, CancellationToken cancellationToken)
        {
            Record(cancellationToken);
            return Failure is null ? Task.CompletedTask : throw Failure;
        }

        private void Record(CancellationToken cancellationToken)
        {
            var met = Inside?.Invoke();
            lock (_gate)
            {
                Threads.Add(Thread.CurrentThread.Name);
                SawCancellation |= cancellationToken.IsCancellationRequested;
                if (met is { } value)
                {
                    MetTheOthers.Add(value);
                }
            }
        }
    }
}
