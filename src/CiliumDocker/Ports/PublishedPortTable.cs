using System.Text.Json.Serialization;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Ports;

[JsonConverter(typeof(JsonStringEnumConverter<PublishedPortState>))]
internal enum PublishedPortState
{
    /// <summary>Written before the agent is asked: a plugin that dies mid-publish leaves a record to undo, not a
    /// service nobody knows about.</summary>
    Creating,

    Published,

    /// <summary>Docker let go of the port while the agent could not take the deletion; the janitor owes it.</summary>
    DeletionOwed,
}

/// <summary>One Cilium service this plugin made for a published port.</summary>
internal sealed record PublishedPort(
    [property: JsonPropertyName("serviceId")] long ServiceId,
    [property: JsonPropertyName("dockerEndpointId")] string EndpointId,
    [property: JsonPropertyName("requested")] string Requested,
    [property: JsonPropertyName("protocol")] PortProtocol Protocol,
    [property: JsonPropertyName("frontendIp")] string FrontendIp,
    [property: JsonPropertyName("frontendPort")] int FrontendPort,
    [property: JsonPropertyName("backendIp")] string BackendIp,
    [property: JsonPropertyName("backendPort")] int BackendPort,
    [property: JsonPropertyName("state")] PublishedPortState State)
{
    [JsonIgnore]
    public PortFrontend Frontend => new(Protocol, System.Net.IPAddress.Parse(FrontendIp), FrontendPort);

    public override string ToString() => $"{Frontend} -> {BackendIp}:{BackendPort} (service {ServiceId})";
}

internal sealed class PublishedPortsState
{
    [JsonPropertyName("ports")]
    public List<PublishedPort> Ports { get; init; } = [];
}

[JsonSerializable(typeof(PublishedPortsState))]
internal sealed partial class PublishedPortsJsonContext : JsonSerializerContext;

/// <summary>
/// The services this plugin owns (<c>published-ports.json</c>), so that a restarted plugin deletes what an earlier
/// process created and never creates a second service for a port. Every change is written through: publishing is
/// rare, and a lost record would be a host port held by a container that no longer exists.
/// </summary>
internal sealed class PublishedPortTable
{
    private readonly Lock _lock = new();
    private readonly JsonStateFile<PublishedPortsState> _file;
    private readonly PublishedPortsState _state;

    public PublishedPortTable(JsonStateFile<PublishedPortsState> file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
        _state = file.Load() ?? new PublishedPortsState();
    }

    public IReadOnlyList<PublishedPort> Snapshot()
    {
        lock (_lock)
        {
            return [.. _state.Ports];
        }
    }

    public IReadOnlyList<PublishedPort> OfEndpoint(string endpointId)
    {
        lock (_lock)
        {
            return _state.Ports.Count == 0 ? [] : [.. _state.Ports.Where(port => port.EndpointId == endpointId)];
        }
    }

    public void Add(IEnumerable<PublishedPort> ports)
    {
        lock (_lock)
        {
            _state.Ports.AddRange(ports);
            _file.Save(_state);
        }
    }

    public void SetState(long serviceId, PublishedPortState state)
    {
        lock (_lock)
        {
            var index = _state.Ports.FindIndex(port => port.ServiceId == serviceId);
            if (index >= 0 && _state.Ports[index].State != state)
            {
                _state.Ports[index] = _state.Ports[index] with { State = state };
                _file.Save(_state);
            }
        }
    }

    public void Remove(long serviceId)
    {
        lock (_lock)
        {
            if (_state.Ports.RemoveAll(port => port.ServiceId == serviceId) > 0)
            {
                _file.Save(_state);
            }
        }
    }
}
