using System.Collections.Concurrent;
using System.Threading.Channels;
using CiliumDocker.Agent;
using Polly;
using Polly.Retry;

namespace CiliumDocker.Labels;

/// <summary>
/// Follows Docker's container start events and labels each started container's Cilium endpoints, so that policy
/// can select them (without labels every endpoint keeps the identity <c>reserved:init</c>).
/// </summary>
/// <remarks>
/// Nothing here runs on a plugin request or blocks start-up: Docker calls plugins while it holds locks and before
/// its own API is served, so the Docker API is only ever used from this background loop. Connection failures are
/// retried forever with capped backoff; after every (re)connect the running containers are labelled again, which
/// covers the events missed while disconnected.
/// </remarks>
internal sealed partial class DockerLabelWatcher : BackgroundService, ILabelWatcherStatus
{
    private readonly DockerHost _host;
    private readonly DockerLabelWatcherOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DockerLabelWatcher> _logger;
    private readonly DockerApiClient _docker;
    private readonly ContainerLabeller _labeller;
    private readonly ResiliencePipeline _reconnect;

    // Container IDs waiting to be labelled. The set keeps a burst of events for one container (or an event racing
    // a resync) to a single pending entry, which also bounds the queue by the number of containers.
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);

    // Containers queued again after a failure that may pass, with how many times so far.
    private readonly ConcurrentDictionary<string, int> _requeued = new(StringComparer.Ordinal);

    private volatile int _state = (int)LabelWatcherState.Connecting;
    private volatile string? _lastError;
    private volatile bool _hasConnected;
    private bool _disabledReported;
    private long _endpointsLabelled;

    public DockerLabelWatcher(
        DockerHost host,
        IAgentEndpointLabels agent,
        DockerLabelWatcherOptions options,
        TimeProvider timeProvider,
        ILogger<DockerLabelWatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _host = host;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _docker = new DockerApiClient(host, options.RequestTimeout, timeProvider);
        _labeller = new ContainerLabeller(_docker, agent, options, timeProvider, logger);
        _reconnect = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.ReconnectDelay,
                MaxDelay = options.MaxReconnectDelay,
                // Every failure is retried but shutdown, and a socket missing since start: that means "not
                // configured" and is handled outside with a slower recheck.
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex
                    && !args.Context.CancellationToken.IsCancellationRequested
                    && (ex is not DockerSocketUnusableException || _hasConnected)),
                OnRetry = args =>
                {
                    State = LabelWatcherState.Connecting;
                    SetError(args.Outcome.Exception?.Message);
                    LogReconnecting(_logger, _host.Original, args.RetryDelay, args.Outcome.Exception?.Message);
                    return default;
                },
            })
            .Build();
    }

    public LabelWatcherState State
    {
        get => (LabelWatcherState)_state;
        private set => _state = (int)value;
    }

    public long EndpointsLabelled => Interlocked.Read(ref _endpointsLabelled);

    public string? LastError => _lastError;

    /// <summary>The Docker API version in use, once negotiated.</summary>
    public string? ApiVersion => _docker.ApiVersion;

    public override void Dispose()
    {
        base.Dispose();
        _docker.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = new Task[Math.Max(1, _options.Concurrency)];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = LabelQueuedContainersAsync(stoppingToken);
        }

        try
        {
            await WatchForeverAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        finally
        {
            _queue.Writer.TryComplete();
            await Task.WhenAll(workers);
        }
    }

    private async Task WatchForeverAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _reconnect.ExecuteAsync(WatchOnceAsync, stoppingToken);
            }
            catch (DockerSocketUnusableException ex)
            {
                State = LabelWatcherState.Disabled;
                SetError($"{ex.Message}: mount the Docker socket there to label containers for Cilium policy");

                // Running without the socket is a supported set-up: say it once, not every recheck.
                if (!_disabledReported)
                {
                    _disabledReported = true;
                    LogDisabled(_logger, ex.Message, _options.SocketRecheckInterval);
                }

                await Task.Delay(_options.SocketRecheckInterval, _timeProvider, stoppingToken);
                State = LabelWatcherState.Connecting;
                continue;
            }

            // The stream was open and ended (dockerd stopping, a proxy timing out). Start the backoff afresh, after
            // one base delay so a stream that closes as soon as it opens cannot spin.
            State = LabelWatcherState.Connecting;
            await Task.Delay(_options.ReconnectDelay, _timeProvider, stoppingToken);
        }
    }

    /// <summary>One connection: returns when an opened stream ended, throws when it could not be opened or broke.</summary>
    private async ValueTask WatchOnceAsync(CancellationToken cancellationToken)
    {
        if (_host.DescribeUnusableSocket() is { } why)
        {
            throw new DockerSocketUnusableException("Docker socket " + why);
        }

        var version = await _docker.NegotiateApiVersionAsync(cancellationToken);
        using var response = await _docker.OpenContainerStartEventsAsync(cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        _hasConnected = true;
        State = LabelWatcherState.Watching;

        // What went wrong before this connection (socket missing, dockerd restarting) is over now.
        _lastError = null;
        LogWatching(_logger, _host.Original, version);

        // Listed after the stream opened, so a container started in between shows up in one or the other.
        var running = await _docker.ListRunningContainersAsync(cancellationToken);
        foreach (var container in running)
        {
            Enqueue(container.Id);
        }

        LogResynced(_logger, running.Count);

        try
        {
            await foreach (var dockerEvent in DockerEventStreamReader.ReadAsync(stream, _options.MaxEventLineBytes, OnMalformedEvent, cancellationToken))
            {
                if (dockerEvent is { Type: "container", Action: "start" })
                {
                    Enqueue(dockerEvent.Actor?.Id);
                }
            }
        }
        catch (IOException ex)
        {
            throw new DockerApiException($"the Docker events stream from {_host} broke: {ex.Message}", null, ex);
        }

        LogStreamEnded(_logger, _host.Original);
    }

    private void Enqueue(string? containerId)
    {
        if (!string.IsNullOrEmpty(containerId) && _pending.TryAdd(containerId, 0))
        {
            _queue.Writer.TryWrite(containerId);
        }
    }

    private async Task LabelQueuedContainersAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var containerId in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                // Released before the work, so a start event that arrives meanwhile queues a fresh look.
                _pending.TryRemove(containerId, out _);
                try
                {
                    var result = await _labeller.LabelAsync(containerId, stoppingToken);
                    Interlocked.Add(ref _endpointsLabelled, result.EndpointsLabelled);
                    if (result.Failures.Count > 0)
                    {
                        var failures = string.Join("; ", result.Failures);
                        SetError($"labelling container {containerId} failed: {failures}");
                        LogLabelFailed(_logger, containerId, failures);
                    }

                    if (result.RetryLater)
                    {
                        RequeueLater(containerId, stoppingToken);
                    }
                    else
                    {
                        _requeued.TryRemove(containerId, out _);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    SetError($"labelling container {containerId} failed: {ex.Message}");
                    LogLabelFailed(_logger, containerId, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    /// <summary>Labels the container again after a backoff, up to <see cref="DockerLabelWatcherOptions.LabelRetryAttempts"/> times.</summary>
    private void RequeueLater(string containerId, CancellationToken stoppingToken)
    {
        var attempt = _requeued.AddOrUpdate(containerId, 1, static (_, count) => count + 1);
        if (attempt > _options.LabelRetryAttempts)
        {
            _requeued.TryRemove(containerId, out _);
            LogLabelGivenUp(_logger, containerId, _options.LabelRetryAttempts);
            return;
        }

        var delay = TimeSpan.FromTicks(Math.Min(_options.LabelRetryDelay.Ticks << Math.Min(attempt - 1, 16), _options.MaxLabelRetryDelay.Ticks));
        _ = EnqueueAfterAsync(containerId, delay, stoppingToken);
    }

    private async Task EnqueueAfterAsync(string containerId, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _timeProvider, stoppingToken).ConfigureAwait(false);
            Enqueue(containerId);
        }
        catch (OperationCanceledException)
        {
            // Host shutdown: the resync at the next start labels it.
        }
    }

    private void OnMalformedEvent(string description)
    {
        SetError("Docker events: " + description);
        LogMalformedEvent(_logger, _host.Original, description);
    }

    private void SetError(string? message) => _lastError = message ?? _lastError;

    private sealed class DockerSocketUnusableException(string message) : Exception(message);

    [LoggerMessage(EventId = 507, Level = LogLevel.Information, Message = "Watching Docker events at {DockerHost} (API {ApiVersion})")]
    private static partial void LogWatching(ILogger logger, string dockerHost, string apiVersion);

    [LoggerMessage(EventId = 508, Level = LogLevel.Debug, Message = "Queued {Count} running containers for labelling")]
    private static partial void LogResynced(ILogger logger, int count);

    [LoggerMessage(EventId = 509, Level = LogLevel.Warning, Message = "Docker events at {DockerHost} unavailable, reconnecting in {Delay}: {Error}")]
    private static partial void LogReconnecting(ILogger logger, string dockerHost, TimeSpan delay, string? error);

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning, Message = "Docker events stream at {DockerHost} ended, reconnecting")]
    private static partial void LogStreamEnded(ILogger logger, string dockerHost);

    [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "Container labels for Cilium are disabled: {Reason}. Looking for the socket every {Interval}")]
    private static partial void LogDisabled(ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 512, Level = LogLevel.Warning, Message = "Docker events at {DockerHost}: {Description}")]
    private static partial void LogMalformedEvent(ILogger logger, string dockerHost, string description);

    [LoggerMessage(EventId = 513, Level = LogLevel.Error, Message = "Could not label the Cilium endpoints of container {ContainerId}: {Error}")]
    private static partial void LogLabelFailed(ILogger logger, string containerId, string error);

    [LoggerMessage(EventId = 514, Level = LogLevel.Error, Message = "Gave up labelling container {ContainerId} after {Attempts} more tries; the next resync tries again")]
    private static partial void LogLabelGivenUp(ILogger logger, string containerId, int attempts);
}
