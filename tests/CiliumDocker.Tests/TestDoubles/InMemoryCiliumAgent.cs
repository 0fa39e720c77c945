using CiliumDocker.Agent;
using Microsoft.Extensions.DependencyInjection;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>
/// The agent client straight on an <see cref="AgentModel"/>, with the error translation the real client does (404
/// on delete is "not there"), its reports to <see cref="Statistics"/>, and scripted faults.
/// </summary>
internal sealed class InMemoryCiliumAgent(AgentModel model) : IAgentAddresses, IAgentEndpoints, IAgentEndpointLabels, IAgentServices, IAgentConfigSource
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<(int? Status, string Message)>> _faults = new(StringComparer.Ordinal);
    private readonly List<string> _calls = [];
    private Func<IpamResponse>? _nextAllocationAnswer;

    public AgentModel Model { get; } = model;

    public string Endpoint => FakeAgentConfig.Socket;

    /// <summary>What every call reports, as the real client's attempts do.</summary>
    public AgentCallStatistics Statistics { get; } = new();

    /// <summary>Every call fails as if the socket did not answer.</summary>
    public bool Unreachable { get; set; }

    /// <summary>Runs before each call, after faults are checked; lets a test hold a call or cancel its caller.</summary>
    public Func<string, CancellationToken, Task>? BeforeCall { get; set; }

    /// <summary>Runs after each successful call; lets a test cancel the caller once the agent has acted.</summary>
    public Action<string>? AfterCall { get; set; }

    /// <summary>When set, the next AllocateNext answers this instead of asking the model.</summary>
    public Func<IpamResponse>? NextAllocationAnswer
    {
        get => _nextAllocationAnswer;
        set => _nextAllocationAnswer = value;
    }

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Puts <paramref name="agent"/> behind every agent interface the plugin uses, with its statistics,
    /// before the composition root would add the real client.</summary>
    public static IServiceCollection Register(IServiceCollection services, Func<IServiceProvider, InMemoryCiliumAgent> agent) => services
        .AddSingleton(provider => agent(provider).Statistics)
        .AddSingleton<IAgentAddresses>(agent)
        .AddSingleton<IAgentEndpoints>(agent)
        .AddSingleton<IAgentEndpointLabels>(agent)
        .AddSingleton<IAgentConfigSource>(agent)
        .AddSingleton<IAgentServices>(agent);

    /// <summary>The next call of <paramref name="operation"/> fails with this status (null: unreachable).</summary>
    public void FailNext(string operation, int? status, string message = "scripted failure")
    {
        lock (_lock)
        {
            if (!_faults.TryGetValue(operation, out var queue))
            {
                _faults[operation] = queue = new Queue<(int?, string)>();
            }

            queue.Enqueue((status, message));
        }
    }

    public Task<DaemonConfigurationStatus> GetConfigAsync(CancellationToken cancellationToken)
        => RunAsync("GetConfig", string.Empty, () => Model.Config, cancellationToken);

    public Task<IpamResponse> AllocateNextAsync(IpFamily family, string owner, bool expiration, CancellationToken cancellationToken)
        => RunAsync("AllocateNext", $"{family} {owner} expiration={expiration}", () =>
        {
            var scripted = Interlocked.Exchange(ref _nextAllocationAnswer, null);
            return scripted is null ? Model.AllocateNext(family, owner, expiration) : scripted();
        }, cancellationToken);

    public Task AllocateAsync(string ip, string owner, string pool, CancellationToken cancellationToken)
        => RunAsync("Allocate", $"{ip} {owner} pool={pool}", () =>
        {
            Model.Allocate(ip, owner);
            return true;
        }, cancellationToken);

    public Task ReleaseAsync(string ip, string pool, CancellationToken cancellationToken)
        => RunAsync("Release", $"{ip} pool={pool}", () => Model.Release(ip), cancellationToken);

    public Task<CiliumEndpoint?> CreateEndpointAsync(EndpointChangeRequest request, CancellationToken cancellationToken)
        => RunAsync<CiliumEndpoint?>("CreateEndpoint", request.DockerEndpointId ?? string.Empty, () => Model.CreateEndpoint(request), cancellationToken);

    public Task<CiliumEndpoint?> GetEndpointAsync(string id, CancellationToken cancellationToken)
        => RunAsync("GetEndpoint", id, () => Model.GetEndpoint(id), cancellationToken);

    public Task<bool> PatchEndpointAsync(string id, EndpointChangeRequest request, CancellationToken cancellationToken)
        => RunAsync("PatchEndpoint", id, () => Model.PatchEndpoint(id), cancellationToken);

    public Task<bool> DeleteEndpointAsync(string id, CancellationToken cancellationToken)
        => RunAsync("DeleteEndpoint", id, () => Model.DeleteEndpoint(id), cancellationToken);

    public Task<IReadOnlyList<AgentService>> ListServicesAsync(CancellationToken cancellationToken)
        => RunAsync("ListServices", string.Empty, Model.Services.List, cancellationToken);

    public Task UpsertServiceAsync(ServiceSpec spec, CancellationToken cancellationToken)
        => RunAsync("UpsertService", spec.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), () => Model.Services.Upsert(spec), cancellationToken);

    public Task<bool> DeleteServiceAsync(long id, CancellationToken cancellationToken)
        => RunAsync("DeleteService", id.ToString(System.Globalization.CultureInfo.InvariantCulture), () => Model.Services.Delete(id), cancellationToken);

    private async Task<T> RunAsync<T>(string operation, string argument, Func<T> action, CancellationToken cancellationToken)
    {
        (int? Status, string Message)? fault = null;
        lock (_lock)
        {
            _calls.Add($"{operation} {argument}".TrimEnd());
            if (_faults.TryGetValue(operation, out var queue) && queue.Count > 0)
            {
                fault = queue.Dequeue();
            }
        }

        Statistics.RecordCall();
        if (Unreachable || fault is { Status: null })
        {
            Statistics.RecordNotDelivered(DateTimeOffset.UtcNow);
            throw Failure($"cannot reach the Cilium agent at {Endpoint}: connection refused", AgentFailure.Unreachable, status: null);
        }

        Statistics.RecordDelivered();
        if (fault is { Status: { } status, Message: var message })
        {
            throw Failure($"the Cilium agent at {Endpoint} answered {status}: {message}", AgentFailureFacts.FromStatus(status), status);
        }

        if (BeforeCall is { } before)
        {
            await before(operation, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        T result;
        try
        {
            result = action();
        }
        catch (AgentModelException ex)
        {
            throw Failure($"the Cilium agent at {Endpoint} answered {ex.Status}: {ex.Message}", AgentFailureFacts.FromStatus(ex.Status), ex.Status);
        }

        AfterCall?.Invoke(operation);
        return result;
    }

    private CiliumAgentException Failure(string message, AgentFailure failure, int? status)
    {
        Statistics.RecordFailure(failure, message);
        return new CiliumAgentException(message, failure, status);
    }
}
