using System.Collections.Concurrent;
using CiliumDocker.Agent;

namespace CiliumDocker.Tests.Labels;

/// <summary>An agent that knows a set of Docker endpoints and records every PATCH.</summary>
internal sealed class RecordingCiliumAgent : IAgentEndpointLabels
{
    private readonly ConcurrentDictionary<string, byte> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Exception>> _failures = new(StringComparer.Ordinal);

    public string Endpoint => "/var/run/cilium/cilium.sock";

    /// <summary>Every PATCH attempt, including those that failed or were answered 404.</summary>
    public ConcurrentQueue<PatchCall> Attempts { get; } = new();

    /// <summary>The PATCHes the agent accepted.</summary>
    public IReadOnlyList<PatchCall> Accepted => [.. Attempts.Where(a => a.Outcome == PatchOutcome.Accepted)];

    public void AddDockerEndpoint(string dockerEndpointId) => _endpoints[EndpointIds.DockerEndpoint(dockerEndpointId)] = 0;

    /// <summary>The next PATCHes of this endpoint throw these, in order, before it is answered normally.</summary>
    public void FailNextPatches(string dockerEndpointId, params Exception[] failures) =>
        _failures[EndpointIds.DockerEndpoint(dockerEndpointId)] = new ConcurrentQueue<Exception>(failures);

    public Task<bool> PatchEndpointAsync(string id, EndpointChangeRequest request, CancellationToken cancellationToken)
    {
        if (_failures.TryGetValue(id, out var failures) && failures.TryDequeue(out var failure))
        {
            Attempts.Enqueue(new PatchCall(id, request, PatchOutcome.Failed));
            return Task.FromException<bool>(failure);
        }

        var known = _endpoints.ContainsKey(id);
        Attempts.Enqueue(new PatchCall(id, request, known ? PatchOutcome.Accepted : PatchOutcome.NotFound));
        return Task.FromResult(known);
    }
}

internal enum PatchOutcome
{
    Accepted,
    NotFound,
    Failed,
}

internal sealed record PatchCall(string Id, EndpointChangeRequest Request, PatchOutcome Outcome);
