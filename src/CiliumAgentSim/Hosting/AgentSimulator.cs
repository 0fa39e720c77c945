using CiliumAgentSim.Api;
using CiliumAgentSim.Control;
using CiliumAgentSim.Datapath;
using CiliumAgentSim.Faults;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Hosting;

/// <summary>
/// The running simulator: the agent server, the control server, the state they share and the datapath. Tests
/// start it in-process through <see cref="StartAsync"/>; <c>Program</c> does the same for the executable.
/// </summary>
internal sealed class AgentSimulator : IAsyncDisposable
{
    private readonly SimOptions _options;
    private readonly TimeProvider _time;
    private readonly IEndpointDatapath _datapath;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _agentGate = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private WebApplication? _agent;
    private WebApplication? _control;
    private Task _pendingComeback = Task.CompletedTask;
    private int _restarts;
    private bool _disposed;

    private AgentSimulator(SimOptions options, TimeProvider time, IEndpointDatapath datapath, ILogger logger)
    {
        _options = options;
        _time = time;
        _datapath = datapath;
        _logger = logger;
        State = new StateHolder(new AgentState(options, time));
    }

    public StateHolder State { get; }

    public FaultInjector Faults { get; } = new();

    public bool AgentUp => Volatile.Read(ref _agent) is not null;

    /// <summary>
    /// Builds the datapath (when enabled), then listens on the agent and control sockets.
    /// <paramref name="time"/> drives address expiration only.
    /// </summary>
    public static async Task<AgentSimulator> StartAsync(
        SimOptions options, TimeProvider time, IEndpointDatapath datapath, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(datapath);
        ArgumentNullException.ThrowIfNull(logger);
        var simulator = new AgentSimulator(options, time, datapath, logger);
        try
        {
            var state = simulator.State.Current;
            await datapath.StartAsync(state.RouterIPv4, state.RouterIPv6, cancellationToken);
            await simulator.StartAgentAsync(cancellationToken);
            simulator._control = UnixSocketServer.Build(options.ResolvedControlSocketPath, app => ControlApi.Map(app, simulator));
            await simulator._control.StartAsync(cancellationToken);
            return simulator;
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
    }

    public StateDump Dump()
    {
        var dump = State.Current.Dump();
        dump.AgentUp = AgentUp;
        dump.Restarts = Volatile.Read(ref _restarts);
        return dump;
    }

    /// <summary>
    /// Drops the agent socket at once (connections in flight are cut), optionally forgets everything, and
    /// returns; the socket comes back after <paramref name="down"/>. A restart while down starts a new cycle.
    /// </summary>
    public async Task RestartAsync(bool keepState, TimeSpan down)
    {
        await _agentGate.WaitAsync(_lifetime.Token);
        try
        {
            await StopAgentLockedAsync();
            Interlocked.Increment(ref _restarts);
            if (keepState)
            {
                await RestoreServicesAsync();
            }
            else
            {
                await ForgetStateAsync();
            }

            _pendingComeback = ComeBackAfterAsync(down, Volatile.Read(ref _restarts));
        }
        finally
        {
            _agentGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _lifetime.CancelAsync();
        await IgnoreCancellation(_pendingComeback);
        if (_control is not null)
        {
            await _control.StopAsync(CancellationToken.None);
            await _control.DisposeAsync();
        }

        await StopAgentLockedAsync();
        try
        {
            await _datapath.StopAsync(CancellationToken.None);
        }
        catch (DatapathException ex)
        {
            SimLog.CleanupIncomplete(_logger, ex.Message);
        }

        State.Current.Dispose();
        _lifetime.Dispose();
        _agentGate.Dispose();
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
            // Shutting down while the agent was still down.
        }
    }

    private async Task ComeBackAfterAsync(TimeSpan down, int generation)
    {
        await Task.Delay(down, _lifetime.Token);
        await _agentGate.WaitAsync(_lifetime.Token);
        try
        {
            // A later restart owns the comeback.
            if (generation == Volatile.Read(ref _restarts) && _agent is null)
            {
                await StartAgentAsync(_lifetime.Token);
            }
        }
        catch (IOException ex)
        {
            SimLog.ComebackFailed(_logger, ex.Message);
        }
        finally
        {
            _agentGate.Release();
        }
    }

    private async Task StartAgentAsync(CancellationToken cancellationToken)
    {
        var agent = UnixSocketServer.Build(_options.SocketPath, app => AgentApi.Map(app, _options, State, Faults, _datapath, _logger));
        await agent.StartAsync(cancellationToken);
        Volatile.Write(ref _agent, agent);
    }

    private async Task StopAgentLockedAsync()
    {
        var agent = Interlocked.Exchange(ref _agent, null);
        if (agent is null)
        {
            return;
        }

        // A cancelled token makes Kestrel abort open connections instead of draining them.
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        await agent.StopAsync(now.Token);
        await agent.DisposeAsync();
        File.Delete(_options.SocketPath);
    }

    /// <summary>The agent comes back with the services of its BPF maps; the datapath keeps translating those.</summary>
    private async Task RestoreServicesAsync()
    {
        await State.ServiceChanges.RunAsync(async () =>
        {
            foreach (var id in State.Current.RestoreServicesAfterRestart())
            {
                await ServiceHandlers.RemoveQuietlyAsync(_datapath.Services, id, _logger);
            }
        });
    }

    private async Task ForgetStateAsync()
    {
        var old = await State.ServiceChanges.RunAsync(async () =>
        {
            var replaced = State.Replace(new AgentState(_options, _time));
            foreach (var service in replaced.ServicesInDatapath())
            {
                await ServiceHandlers.RemoveQuietlyAsync(_datapath.Services, service.Id, _logger);
            }

            return replaced;
        });

        foreach (var endpoint in old.EndpointsWithInterface())
        {
            try
            {
                await _datapath.DetachAsync(new DatapathEndpoint(endpoint.InterfaceName!, endpoint.IPv4, endpoint.IPv6), CancellationToken.None);
            }
            catch (DatapathException ex)
            {
                SimLog.DetachFailed(_logger, endpoint.InterfaceName!, ex.Message);
            }
        }

        old.Dispose();
    }
}
