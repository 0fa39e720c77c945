using System.Net;
using System.Net.Sockets;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Agent;

/// <summary>
/// Fetches the agent's <c>/v1/config</c> in the background, so the plugin listens at once and never exits because
/// the agent is down (product decision 2). It retries forever with capped backoff until it has a valid
/// configuration, then refreshes it periodically, and at once when an IPAM answer shows a new router IP.
/// </summary>
internal sealed partial class AgentConfigMonitor : BackgroundService, IAgentConfig
{
    public static readonly TimeSpan InitialRetryDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>How often a Docker call waiting for the first configuration asks the monitor to try again now.</summary>
    public static readonly TimeSpan FirstConfigurationPoll = TimeSpan.FromMilliseconds(250);

    private readonly IAgentConfigSource _agent;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AgentConfigMonitor> _logger;
    private readonly AgentCallStatistics _statistics;
    private readonly TimeSpan _budget;
    private volatile AgentConfigSnapshot? _current;
    private volatile string? _lastError;
    private TaskCompletionSource _refreshRequested = NewSignal();
    private readonly TaskCompletionSource _firstConfiguration = NewSignal();

    public AgentConfigMonitor(
        IAgentConfigSource agent,
        AgentCallStatistics statistics,
        HostAddressingFeed hostAddressing,
        AgentClientOptions options,
        TimeProvider timeProvider,
        ILogger<AgentConfigMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(hostAddressing);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _agent = agent;
        _statistics = statistics;
        _budget = options.TotalBudget;
        _timeProvider = timeProvider;
        _logger = logger;
        hostAddressing.Observed += ObserveHostAddressing;
    }

    public AgentConfigSnapshot? Current => _current;

    public string? LastError => _lastError;

    public async ValueTask<DaemonConfigurationStatus> GetRequiredAsync(CancellationToken cancellationToken)
    {
        // An agent unreachable for longer than a whole budget will not answer within this call either: no waiting.
        while (_current is null && CallDeadline.Remaining(_timeProvider) is { } left && left > TimeSpan.Zero
            && _statistics.OutageLongerThan(_budget, _timeProvider.GetUtcNow()) is null)
        {
            // The monitor may be sitting out a backoff of up to 5 s: a waiting Docker call wants the next try now.
            Volatile.Read(ref _refreshRequested).TrySetResult();
            try
            {
                await _firstConfiguration.Task.WaitAsync(left < FirstConfigurationPoll ? left : FirstConfigurationPoll, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        if (_current is null && _statistics.OutageLongerThan(_budget, _timeProvider.GetUtcNow()) is not null)
        {
            // Fail fast, but with one attempt of its own: the first call after the agent is back gets through.
            await TryFetchAsync(cancellationToken).ConfigureAwait(false);
        }

        return _current?.Status ?? throw new CiliumAgentException(
            $"no configuration received yet from the Cilium agent at {_agent.Endpoint}: {_lastError ?? "the first request is still in progress"}",
            AgentFailure.Unreachable);
    }

    /// <summary>An IPAM answer showed the node's addressing: a changed router IP means the agent restarted.</summary>
    public void ObserveHostAddressing(NodeAddressing hostAddressing)
    {
        ArgumentNullException.ThrowIfNull(hostAddressing);

        var current = _current;
        if (current is null)
        {
            // The agent just answered an IPAM call: no reason to sit out the backoff.
            Volatile.Read(ref _refreshRequested).TrySetResult();
            return;
        }

        if (ShowsNewRouterIp(current.Status, hostAddressing))
        {
            LogRouterIpChanged(_logger, _agent.Endpoint);
            Volatile.Read(ref _refreshRequested).TrySetResult();
        }
    }

    /// <summary>Backoff after <paramref name="consecutiveFailures"/> failed fetches: 100 ms doubling up to 5 s.</summary>
    public static TimeSpan RetryDelay(int consecutiveFailures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutiveFailures, 1);

        // Past 2^6 the cap has long been reached; bounding the exponent keeps the arithmetic from overflowing.
        var factor = 1L << Math.Min(consecutiveFailures - 1, 16);
        var delay = TimeSpan.FromTicks(InitialRetryDelay.Ticks * factor);
        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    /// <summary>Why a configuration is unusable, or null when it has what the plugin needs.</summary>
    public static string? FindProblem(DaemonConfigurationStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);

        if (status.Addressing is not { } addressing)
        {
            return "it has no status.addressing";
        }

        var ipv4 = addressing.IPv4?.Ip;
        var ipv6 = addressing.IPv6?.Ip;
        if (string.IsNullOrEmpty(ipv4) && string.IsNullOrEmpty(ipv6))
        {
            return "it names neither an IPv4 nor an IPv6 router IP (status.addressing.ipv4.ip / ipv6.ip)";
        }

        if (!string.IsNullOrEmpty(ipv4) && !IsAddressOf(ipv4, AddressFamily.InterNetwork))
        {
            return $"its IPv4 router IP '{ipv4}' is not an IPv4 address";
        }

        if (!string.IsNullOrEmpty(ipv6) && !IsAddressOf(ipv6, AddressFamily.InterNetworkV6))
        {
            return $"its IPv6 router IP '{ipv6}' is not an IPv6 address";
        }

        return null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var consecutiveFailures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Armed before the fetch, so a new router IP seen during the fetch still triggers the next one.
            var refreshRequested = ArmRefreshSignal();
            var fetched = await TryFetchAsync(stoppingToken).ConfigureAwait(false);
            consecutiveFailures = fetched ? 0 : consecutiveFailures + 1;
            var delay = fetched ? RefreshInterval : RetryDelay(consecutiveFailures);
            await WaitAsync(delay, refreshRequested, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> TryFetchAsync(CancellationToken stoppingToken)
    {
        DaemonConfigurationStatus status;
        try
        {
            status = await _agent.GetConfigAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
        catch (CiliumAgentException exception)
        {
            RecordError(exception.Message);
            return false;
        }
        catch (Exception exception)
        {
            // The monitor must outlive any failure: an exception leaving ExecuteAsync would stop the host.
            LogUnexpectedFailure(_logger, exception);
            RecordError($"fetching the configuration from the Cilium agent at {_agent.Endpoint} failed unexpectedly: {exception.Message}");
            return false;
        }

        if (FindProblem(status) is { } problem)
        {
            RecordError($"the Cilium agent at {_agent.Endpoint} sent an unusable configuration: {problem}; the plugin keeps asking");
            return false;
        }

        var previous = _current;
        _current = new AgentConfigSnapshot(status, _timeProvider.GetUtcNow());
        _firstConfiguration.TrySetResult();
        var hadError = _lastError is not null;
        _lastError = null;

        if (previous is null || hadError || (status.Addressing is { } addressing && ShowsNewRouterIp(previous.Status, addressing)))
        {
            LogConfigurationReceived(
                _logger,
                _agent.Endpoint,
                status.Addressing?.IPv4?.Ip ?? "-",
                status.Addressing?.IPv6?.Ip ?? "-",
                status.DatapathMode ?? "-",
                status.DeviceMtu);
        }

        return true;
    }

    private void RecordError(string message)
    {
        if (message != _lastError)
        {
            LogFetchFailed(_logger, message);
        }
        else
        {
            LogFetchStillFailing(_logger, message);
        }

        _lastError = message;
    }

    private async Task WaitAsync(TimeSpan delay, Task refreshRequested, CancellationToken stoppingToken)
    {
        using var waitCancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var elapsed = Task.Delay(delay, _timeProvider, waitCancellation.Token);
        await Task.WhenAny(elapsed, refreshRequested).ConfigureAwait(false);
        await waitCancellation.CancelAsync().ConfigureAwait(false);
    }

    private Task ArmRefreshSignal()
    {
        var signal = NewSignal();
        Volatile.Write(ref _refreshRequested, signal);
        return signal.Task;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether <paramref name="seen"/> names a router IP that differs from the known configuration's.</summary>
    public static bool ShowsNewRouterIp(DaemonConfigurationStatus known, NodeAddressing seen)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(seen);
        return RouterIpChanged(known.Addressing?.IPv4, seen.IPv4) || RouterIpChanged(known.Addressing?.IPv6, seen.IPv6);
    }

    /// <summary>Only a router IP the new data actually names counts: an absent family tells nothing.</summary>
    private static bool RouterIpChanged(NodeAddressingElement? known, NodeAddressingElement? seen)
    {
        if (string.IsNullOrEmpty(seen?.Ip))
        {
            return false;
        }

        if (string.IsNullOrEmpty(known?.Ip))
        {
            return true;
        }

        return IPAddress.TryParse(known.Ip, out var knownIp) && IPAddress.TryParse(seen.Ip, out var seenIp)
            ? !knownIp.Equals(seenIp)
            : !string.Equals(known.Ip, seen.Ip, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsAddressOf(string text, AddressFamily family) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == family;

    [LoggerMessage(EventId = 401, Level = LogLevel.Information,
        Message = "Configuration received from the Cilium agent at {Endpoint}: router IPv4 {RouterIPv4}, router IPv6 {RouterIPv6}, datapath {DatapathMode}, device MTU {DeviceMtu}")]
    private static partial void LogConfigurationReceived(ILogger logger, string endpoint, string routerIPv4, string routerIPv6, string datapathMode, int deviceMtu);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "{Message}")]
    private static partial void LogFetchFailed(ILogger logger, string message);

    [LoggerMessage(EventId = 403, Level = LogLevel.Debug, Message = "Still failing: {Message}")]
    private static partial void LogFetchStillFailing(ILogger logger, string message);

    [LoggerMessage(EventId = 404, Level = LogLevel.Information,
        Message = "The Cilium agent at {Endpoint} reports a different router IP (agent restarted?): refreshing its configuration")]
    private static partial void LogRouterIpChanged(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 405, Level = LogLevel.Error, Message = "Unexpected failure while fetching the Cilium agent configuration")]
    private static partial void LogUnexpectedFailure(ILogger logger, Exception exception);
}
