using System.Net.Sockets;
using CiliumDocker.Agent;
using Polly;
using Polly.Retry;

namespace CiliumDocker.Labels;

/// <summary>
/// Copies one container's labels onto the Cilium endpoint of every network it is attached to. The agent answers
/// 404 for the endpoints of networks other drivers serve, so no knowledge of network drivers is needed, and a
/// container on two Cilium networks gets both endpoints labelled. PATCH is idempotent: labelling a container twice
/// (an event and a resync racing) is harmless.
/// </summary>
internal sealed partial class ContainerLabeller
{
    private readonly DockerApiClient _docker;
    private readonly IAgentEndpointLabels _agent;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;

    public ContainerLabeller(DockerApiClient docker, IAgentEndpointLabels agent, DockerLabelWatcherOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(docker);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _docker = docker;
        _agent = agent;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.LabelRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.LabelRetryDelay,
                MaxDelay = options.MaxLabelRetryDelay,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                OnRetry = args =>
                {
                    LogRetrying(_logger, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>
    /// Labels the container's endpoints. A PATCH that fails for good does not stop the other endpoints of the
    /// container from being labelled; its error is in the result.
    /// </summary>
    /// <exception cref="DockerApiException">Docker kept failing the inspect calls, so nothing could be labelled.</exception>
    public async Task<LabelResult> LabelAsync(string containerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        var container = await _retry.ExecuteAsync(ct => new ValueTask<ContainerInspect?>(_docker.InspectContainerAsync(containerId, ct)), cancellationToken);
        if (container is null)
        {
            LogContainerGone(_logger, containerId);
            return LabelResult.Nothing;
        }

        var endpoints = EndpointIdsOf(container);
        if (endpoints.Count == 0)
        {
            LogNoEndpoints(_logger, containerId);
            return LabelResult.Nothing;
        }

        var request = new EndpointChangeRequest
        {
            ContainerId = container.Id ?? containerId,
            ContainerName = container.Name?.TrimStart('/'),
            Labels = ContainerLabels.From(await ImageLabelsAsync(container, cancellationToken), container.Config?.Labels),
            State = EndpointChangeRequest.WaitingForIdentity,
        };

        var labelled = 0;
        var failures = new List<string>();
        var retryLater = false;
        foreach (var (network, endpointId) in endpoints)
        {
            var id = EndpointIds.DockerEndpoint(endpointId);
            try
            {
                // The agent client already retries within its budget; a PATCH that still fails is queued again by
                // the watcher (RetryLater) rather than retried here on top.
                if (await _agent.PatchEndpointAsync(id, request, cancellationToken))
                {
                    labelled++;
                    LogLabelled(_logger, request.ContainerName, network, endpointId, request.Labels.Count);
                }
                else
                {
                    LogNotCilium(_logger, request.ContainerName, network);
                }
            }
            catch (CiliumAgentException ex)
            {
                failures.Add($"network {network}: {ex.Message}");
                retryLater |= ex.IsWorthRetryingLater;
            }
        }

        return new LabelResult(labelled, failures, retryLater);
    }

    internal static bool IsTransient(Exception exception) => exception switch
    {
        DockerApiException docker => docker.IsTransient,
        HttpRequestException or IOException or SocketException => true,
        _ => false,
    };

    private static List<(string Network, string EndpointId)> EndpointIdsOf(ContainerInspect container)
    {
        var result = new List<(string, string)>();
        if (container.NetworkSettings?.Networks is { } networks)
        {
            foreach (var (name, endpoint) in networks.OrderBy(n => n.Key, StringComparer.Ordinal))
            {
                if (!string.IsNullOrEmpty(endpoint?.EndpointId))
                {
                    result.Add((name, endpoint.EndpointId));
                }
            }
        }

        return result;
    }

    private async Task<IReadOnlyDictionary<string, string?>?> ImageLabelsAsync(ContainerInspect container, CancellationToken cancellationToken)
    {
        // The image ID, not Config.Image: the tag may point to another image by now.
        var image = !string.IsNullOrEmpty(container.Image) ? container.Image : container.Config?.Image;
        if (string.IsNullOrEmpty(image))
        {
            return null;
        }

        var inspect = await _retry.ExecuteAsync(ct => new ValueTask<ImageInspect?>(_docker.InspectImageAsync(image, ct)), cancellationToken);
        if (inspect is null)
        {
            // `docker rmi -f` can remove the image of a running container; its own labels still apply.
            LogImageGone(_logger, image);
        }

        return inspect?.Config?.Labels;
    }

    /// <param name="RetryLater">A failure may go away (the agent was away or busy): label the container again later.</param>
    internal sealed record LabelResult(int EndpointsLabelled, IReadOnlyList<string> Failures, bool RetryLater = false)
    {
        public static readonly LabelResult Nothing = new(0, []);
    }

    [LoggerMessage(EventId = 501, Level = LogLevel.Debug, Message = "Container {ContainerId} is gone before its labels could be copied")]
    private static partial void LogContainerGone(ILogger logger, string containerId);

    [LoggerMessage(EventId = 502, Level = LogLevel.Debug, Message = "Container {ContainerId} has no network endpoints to label")]
    private static partial void LogNoEndpoints(ILogger logger, string containerId);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "Labelled the Cilium endpoint of container {ContainerName} on network {Network} (endpoint {EndpointId}, {LabelCount} labels)")]
    private static partial void LogLabelled(ILogger logger, string? containerName, string network, string endpointId, int labelCount);

    [LoggerMessage(EventId = 504, Level = LogLevel.Debug, Message = "Container {ContainerName}: network {Network} is not served by Cilium (the agent has no such endpoint)")]
    private static partial void LogNotCilium(ILogger logger, string? containerName, string network);

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "Image {Image} is gone; only the container's own labels are applied")]
    private static partial void LogImageGone(ILogger logger, string image);

    [LoggerMessage(EventId = 506, Level = LogLevel.Warning, Message = "Labelling attempt failed, retry {Attempt} in {Delay}: {Error}")]
    private static partial void LogRetrying(ILogger logger, int attempt, TimeSpan delay, string? error);
}
