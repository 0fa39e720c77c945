using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CiliumDocker.Tests.Agent;

/// <summary>Builds clients for tests and drives fake time next to real socket I/O.</summary>
internal static class AgentClientTestKit
{
    public const string ConfigJson = """
        {"spec":{"options":{},"policy-enforcement":"default"},
         "status":{"addressing":{"ipv4":{"enabled":true,"ip":"10.15.0.1","alloc-range":"10.15.0.0/16","address-type":""},
                                 "ipv6":{"enabled":false,"ip":"","alloc-range":""}},
                   "deviceMTU":1500,"routeMTU":1450,"datapathMode":"veth","ipam-mode":"cluster-pool",
                   "GROMaxSize":65536,"GSOMaxSize":65536,"GROIPv4MaxSize":65536,"GSOIPv4MaxSize":65536,"masquerade":true}}
        """;

    /// <summary>
    /// Retries at once and never times out on its own: tests then depend on what the agent answers, not on how
    /// fast this machine runs. Tests about timing set what they exercise.
    /// </summary>
    public static AgentClientOptions Options(SocketEndpoint endpoint) => new()
    {
        Endpoint = endpoint,
        RetryBaseDelay = TimeSpan.Zero,
        AttemptTimeout = TimeSpan.FromHours(20),
        TotalBudget = TimeSpan.FromHours(23),

        // The budget never ends here: the count does, also for what never reached the agent.
        MaxUnprocessedRetryAttempts = 5,
    };

    public static CiliumAgentClient Create(AgentClientOptions options, TimeProvider timeProvider, AgentCallStatistics? statistics = null, HostAddressingFeed? hostAddressing = null) =>
        new(options, statistics ?? new AgentCallStatistics(), hostAddressing ?? new HostAddressingFeed(), timeProvider, NullLogger<CiliumAgentClient>.Instance);

    /// <summary>Advances fake time in steps until <paramref name="task"/> completes, giving real I/O room in between.</summary>
    public static async Task<T> AdvanceUntilDoneAsync<T>(this FakeTimeProvider time, Task<T> task, TimeSpan step, CancellationToken cancellationToken)
    {
        await time.AdvanceUntilDoneAsync((Task)task, step, cancellationToken);
        return await task;
    }

    public static async Task AdvanceUntilDoneAsync(this FakeTimeProvider time, Task task, TimeSpan step, CancellationToken cancellationToken)
    {
        while (!task.IsCompleted)
        {
            time.Advance(step);
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Waits (in real time, bounded by the test's cancellation) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken);
        }
    }
}
