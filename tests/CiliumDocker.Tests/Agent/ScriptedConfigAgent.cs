using System.Threading.Channels;
using CiliumDocker.Agent;

namespace CiliumDocker.Tests.Agent;

/// <summary>
/// An agent whose <c>/v1/config</c> answers the test gives call by call, so the monitor's
/// behaviour is tested without sockets or timing.
/// </summary>
internal sealed class ScriptedConfigAgent : IAgentConfigSource
{
    private readonly Channel<TaskCompletionSource<DaemonConfigurationStatus>> _calls =
        Channel.CreateUnbounded<TaskCompletionSource<DaemonConfigurationStatus>>();

    public string Endpoint => "/run/test/cilium.sock";

    public int ConfigCalls { get; private set; }

    public Task<DaemonConfigurationStatus> GetConfigAsync(CancellationToken cancellationToken)
    {
        ConfigCalls++;
        var answer = new TaskCompletionSource<DaemonConfigurationStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken));
        _calls.Writer.TryWrite(answer);
        return answer.Task;
    }

    /// <summary>The next pending <c>GetConfigAsync</c>, for the test to answer.</summary>
    public ValueTask<TaskCompletionSource<DaemonConfigurationStatus>> NextConfigCallAsync(CancellationToken cancellationToken) =>
        _calls.Reader.ReadAsync(cancellationToken);

    public bool HasPendingCall => _calls.Reader.Count > 0;

    public static DaemonConfigurationStatus Config(string? routerIPv4 = "10.15.0.1", string? routerIPv6 = null) => new()
    {
        Addressing = new NodeAddressing
        {
            IPv4 = routerIPv4 is null ? null : new NodeAddressingElement { Enabled = true, Ip = routerIPv4, AllocRange = "10.15.0.0/16" },
            IPv6 = routerIPv6 is null ? null : new NodeAddressingElement { Enabled = true, Ip = routerIPv6, AllocRange = "f00d::/96" },
        },
        DeviceMtu = 1500,
        DatapathMode = "veth",
    };
}
