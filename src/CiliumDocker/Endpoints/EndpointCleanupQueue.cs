using System.Text.Json.Serialization;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Endpoints;

/// <summary>
/// Agent endpoints Docker let go of (Leave, DeleteEndpoint) while the agent could not take the deletion. Docker
/// never repeats these calls, so the plugin keeps them on disk (<c>endpoint-cleanup.json</c>) until the agent
/// confirms; an endpoint left at the agent would keep its address allocated.
/// </summary>
internal sealed class EndpointCleanupQueue
{
    private readonly Lock _lock = new();
    private readonly JsonStateFile<EndpointCleanupState> _file;
    private readonly TimeProvider _timeProvider;
    private readonly EndpointCleanupState _state;

    public EndpointCleanupQueue(JsonStateFile<EndpointCleanupState> file, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _file = file;
        _timeProvider = timeProvider;
        _state = file.Load() ?? new EndpointCleanupState();
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _state.Endpoints.Count;
            }
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_lock)
        {
            return [.. _state.Endpoints.Select(entry => entry.EndpointId)];
        }
    }

    public void Add(string endpointId)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointId);
        lock (_lock)
        {
            if (!_state.Endpoints.Exists(entry => entry.EndpointId == endpointId))
            {
                _state.Endpoints.Add(new PendingEndpointDeletion(endpointId, _timeProvider.GetUtcNow()));
                _file.Save(_state);
            }
        }
    }

    public void Remove(string endpointId)
    {
        lock (_lock)
        {
            if (_state.Endpoints.RemoveAll(entry => entry.EndpointId == endpointId) > 0)
            {
                _file.Save(_state);
            }
        }
    }
}

internal sealed class EndpointCleanupState
{
    [JsonPropertyName("endpoints")]
    public List<PendingEndpointDeletion> Endpoints { get; init; } = [];
}

internal sealed record PendingEndpointDeletion(
    [property: JsonPropertyName("dockerEndpointId")] string EndpointId,
    [property: JsonPropertyName("since")] DateTimeOffset Since);

[JsonSerializable(typeof(EndpointCleanupState))]
internal sealed partial class EndpointStateJsonContext : JsonSerializerContext;
