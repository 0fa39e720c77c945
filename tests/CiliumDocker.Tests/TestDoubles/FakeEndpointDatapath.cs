using CiliumDocker.Datapath;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>Veth pairs as a set of names; no kernel involved.</summary>
internal sealed class FakeEndpointDatapath : IEndpointDatapath
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, VethPair> _pairs = new(StringComparer.Ordinal);
    private int _nextIndex = 100;

    public List<VethRequest> Created { get; } = [];

    public List<string> Deleted { get; } = [];

    /// <summary>When set, CreateAsync fails with this message.</summary>
    public string? CreateFailure { get; set; }

    public IReadOnlyCollection<string> Existing
    {
        get
        {
            lock (_lock)
            {
                return [.. _pairs.Keys];
            }
        }
    }

    public Task<VethPair> CreateAsync(VethRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            Created.Add(request);
            if (CreateFailure is { } failure)
            {
                throw new DatapathException(failure);
            }

            var index = _nextIndex++;
            var pair = new VethPair(
                VethNames.Host(request.EndpointId),
                index,
                $"8a:00:00:00:00:{index % 256:x2}",
                VethNames.Container(request.EndpointId),
                request.ContainerMac ?? $"d2:00:00:00:00:{index % 256:x2}");
            _pairs[request.EndpointId] = pair;
            return Task.FromResult(pair);
        }
    }

    public Task DeleteAsync(string endpointId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Deleted.Add(endpointId);
            _pairs.Remove(endpointId);
        }

        return Task.CompletedTask;
    }
}
