using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CiliumDocker.Infrastructure;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CiliumDocker.Agent;

/// <summary>
/// The agent's REST API over its Unix socket (or TCP), with one long-lived connection pool. Every call runs through
/// a resilience pipeline: total budget (outermost; the client's, or what the Docker call's <see cref="CallDeadline"/>
/// leaves), retry by safety (see <see cref="AgentCallSafety"/>), and a per-attempt timeout. What never reached the
/// agent is retried until the budget runs out, so a restarting agent is waited for; once the agent has been
/// unreachable for longer than a whole budget, calls stop waiting for it and fail at their first attempt, until an
/// attempt connects again. This is the plugin's only retry layer. Every failure leaves as a
/// <see cref="CiliumAgentException"/> written for the operator.
/// </summary>
internal sealed partial class CiliumAgentClient : IAgentAddresses, IAgentEndpoints, IAgentEndpointLabels, IAgentServices, IAgentConfigSource, IDisposable
{
    // Agent lists can hold thousands of endpoints of a few KB each; anything far beyond is not the agent talking.
    private const long MaxResponseBytes = 64L * 1024 * 1024;

    private static readonly ResiliencePropertyKey<AgentCall> CallKey = new("cilium-docker.agent-call");

    private readonly AgentClientOptions _options;
    private readonly AgentCallStatistics _statistics;
    private readonly HostAddressingFeed _hostAddressing;
    private readonly ILogger<CiliumAgentClient> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private readonly ResiliencePipeline<AgentReply> _pipeline;

    public CiliumAgentClient(
        AgentClientOptions options,
        AgentCallStatistics statistics,
        HostAddressingFeed hostAddressing,
        TimeProvider timeProvider,
        ILogger<CiliumAgentClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(hostAddressing);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRetryAttempts, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TotalBudget, options.AttemptTimeout);

        _options = options;
        _statistics = statistics;
        _hostAddressing = hostAddressing;
        _logger = logger;
        _timeProvider = timeProvider;
        Endpoint = options.Endpoint.ToString();

        // The Host header is "localhost" for a socket, as in the Go client; for TCP it is the agent's address.
        _baseAddress = new Uri(options.Endpoint.IsUnixSocket ? "http://localhost" : "http://" + options.Endpoint.HostAndPort);
        _http = new HttpClient(CreateHandler(options.Endpoint))
        {
            BaseAddress = _baseAddress,
            // The pipeline owns every timeout, on the injected TimeProvider.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _pipeline = BuildPipeline(options, timeProvider);
    }

    public string Endpoint { get; }

    public async Task<DaemonConfigurationStatus> GetConfigAsync(CancellationToken cancellationToken)
    {
        var call = AgentCall.Create(HttpMethod.Get, AgentPaths.Config, AgentCallSafety.Repeatable);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(call, reply);
        var configuration = Decode(call, reply, CiliumJsonContext.Default.DaemonConfiguration);
        return configuration?.Status ?? throw BadAnswer(call, reply, "without a \"status\" object");
    }

    public async Task<IpamResponse> AllocateNextAsync(IpFamily family, string owner, bool expiration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);

        // A repeated allocation whose first attempt did take effect leaves an address nobody was told about.
        // With "expiration: true" the agent frees such an address by itself when no endpoint claims its UUID
        // in time, so repeating after a timeout or server error cannot leak. Without expiration it would leak
        // for good, so only failures the agent never processed are retried.
        var safety = expiration ? AgentCallSafety.Repeatable : AgentCallSafety.OnlyUnprocessed;
        var call = AgentCall.CreateAllocation(AgentPaths.AllocateNext(family, owner), expiration, safety);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(call, reply);
        var allocation = Decode(call, reply, CiliumJsonContext.Default.IpamResponse)
            ?? throw BadAnswer(call, reply, "without an allocation");
        if (allocation.HostAddressing is { } hostAddressing)
        {
            _hostAddressing.Publish(hostAddressing);
        }

        return allocation;
    }

    public async Task AllocateAsync(string ip, string owner, string pool, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(ip);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentException.ThrowIfNullOrEmpty(pool);

        // Reserving one named address twice cannot create a second allocation, so timeouts are retried. The
        // agent's 500 is its allocator's verdict ("already allocated"), not a hiccup, so it is final.
        var call = AgentCall.Create(HttpMethod.Post, AgentPaths.AllocateAddress(ip, owner, pool), AgentCallSafety.RepeatableExceptServerErrors);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        if (reply.IsSuccess)
        {
            return;
        }

        // After an attempt with an unknown outcome, "taken" may mean taken by that very attempt. The agent
        // cannot tell, and releasing on a guess could free another container's address: say so instead.
        var note = call.EarlierAttemptMayHaveTakenEffect && (int)reply.Status >= 500
            ? $"an earlier attempt of this request got no answer and may itself have reserved {ip} (owner '{owner}'); release it if no container uses it"
            : null;
        throw StatusFailure(call, reply, note);
    }

    public async Task ReleaseAsync(string ip, string pool, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(ip);
        ArgumentException.ThrowIfNullOrEmpty(pool);

        // Releasing twice is harmless (the agent answers 200 for an address it does not hold; some builds 404), but
        // its 500 ("IP is in use by endpoint N") is a verdict that a repeat would only delay.
        var call = AgentCall.Create(HttpMethod.Delete, AgentPaths.ReleaseAddress(ip, pool), AgentCallSafety.RepeatableExceptServerErrors);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        if (!reply.IsSuccess && reply.Status != HttpStatusCode.NotFound)
        {
            throw StatusFailure(call, reply);
        }
    }

    public async Task<CiliumEndpoint?> CreateEndpointAsync(EndpointChangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // A repeated PUT whose first attempt created the endpoint would be refused as a duplicate or, worse,
        // create a second endpoint holding the same address: only unprocessed attempts are retried.
        var body = JsonSerializer.SerializeToUtf8Bytes(request, CiliumJsonContext.Default.EndpointChangeRequest);
        // The agent answers only after the endpoint's first datapath build (seconds, minutes on a loaded node) and
        // may first queue the request in its rate limiter (up to 15 s in 1.10, 60 s later): the attempt may use the
        // whole budget. Abandoning it early would make the agent undo a creation that was about to succeed.
        var call = AgentCall.CreateWithJson(HttpMethod.Put, AgentPaths.Endpoint(EndpointIds.CreatePath), AgentCallSafety.OnlyUnprocessed, body)
            .WithWholeBudgetPerAttempt();
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(call, reply);

        // Older agents answer 201 with no body.
        return Decode(call, reply, CiliumJsonContext.Default.CiliumEndpoint);
    }

    public async Task<CiliumEndpoint?> GetEndpointAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);

        var call = AgentCall.Create(HttpMethod.Get, AgentPaths.Endpoint(id), AgentCallSafety.Repeatable);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        if (reply.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(call, reply);
        return Decode(call, reply, CiliumJsonContext.Default.CiliumEndpoint)
            ?? throw BadAnswer(call, reply, "without an endpoint");
    }

    public async Task<bool> PatchEndpointAsync(string id, EndpointChangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(request);

        var body = JsonSerializer.SerializeToUtf8Bytes(request, CiliumJsonContext.Default.EndpointChangeRequest);
        var call = AgentCall.CreateWithJson(HttpMethod.Patch, AgentPaths.Endpoint(id), AgentCallSafety.Repeatable, body);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        if (reply.Status == HttpStatusCode.NotFound)
        {
            return false;
        }

        EnsureSuccess(call, reply);
        return true;
    }

    public async Task<bool> DeleteEndpointAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);

        // 206 means "deleted with errors" (the body counts them): the endpoint is gone either way. A 404 after a
        // retried attempt may be that attempt's own work, which the caller cannot tell from "never there".
        var call = AgentCall.Create(HttpMethod.Delete, AgentPaths.Endpoint(id), AgentCallSafety.Repeatable);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        if (reply.Status == HttpStatusCode.NotFound)
        {
            return call.EarlierAttemptMayHaveTakenEffect;
        }

        EnsureSuccess(call, reply);
        return true;
    }

    public async Task<IReadOnlyList<AgentService>> ListServicesAsync(CancellationToken cancellationToken)
    {
        var call = AgentCall.Create(HttpMethod.Get, AgentPaths.Services, AgentCallSafety.Repeatable);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(call, reply);
        return Decode(call, reply, CiliumJsonContext.Default.ListAgentService) ?? [];
    }

    public async Task UpsertServiceAsync(ServiceSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);

        // A PUT names its service by id and replaces it whole: repeating one that took effect changes nothing.
        var body = JsonSerializer.SerializeToUtf8Bytes(spec, CiliumJsonContext.Default.ServiceSpec);
        var call = AgentCall.CreateWithJson(HttpMethod.Put, AgentPaths.Service(spec.Id), AgentCallSafety.Repeatable, body);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(call, reply);
    }

    public async Task<bool> DeleteServiceAsync(long id, CancellationToken cancellationToken)
    {
        var call = AgentCall.Create(HttpMethod.Delete, AgentPaths.Service(id), AgentCallSafety.Repeatable);
        var reply = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        if (reply.Status == HttpStatusCode.NotFound)
        {
            return call.EarlierAttemptMayHaveTakenEffect;
        }

        EnsureSuccess(call, reply);
        return true;
    }

    public void Dispose() => _http.Dispose();

    private static SocketsHttpHandler CreateHandler(SocketEndpoint endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            // Proxy variables must never divert a local agent connection.
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };

        if (endpoint.SocketPath is { } socketPath)
        {
            // The handler asks for localhost:80; the agent is always at its socket.
            handler.ConnectCallback = (_, cancellationToken) => SocketEndpoint.ConnectUnixAsync(socketPath, cancellationToken);
        }

        return handler;
    }

    private ResiliencePipeline<AgentReply> BuildPipeline(AgentClientOptions options, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder<AgentReply> { TimeProvider = timeProvider };
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = static args => ValueTask.FromResult(
                args.Context.Properties.TryGetValue(CallKey, out var call) ? call.Budget : Timeout.InfiniteTimeSpan),
            OnTimeout = static args =>
            {
                if (args.Context.Properties.TryGetValue(CallKey, out var call))
                {
                    call.BudgetExhausted = true;
                }

                return default;
            },
        });

        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<AgentReply>
            {
                MaxRetryAttempts = AgentRetryRules.MaxAttemptsWithinBudget(options),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Context.Properties.TryGetValue(CallKey, out var call)
                    && AgentRetryRules.ShouldRetry(call.Safety, AgentRetryRules.Classify(args.Outcome), args.AttemptNumber, options.MaxRetryAttempts, OutageOutlastsBudget())),
                OnRetry = OnRetry,
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions
        {
            // InfiniteTimeSpan turns the attempt timeout off: the total budget still bounds the call.
            TimeoutGenerator = args => ValueTask.FromResult(
                args.Context.Properties.TryGetValue(CallKey, out var call) && call.UsesWholeBudget ? Timeout.InfiniteTimeSpan : options.AttemptTimeout),
        });
        return builder.Build();
    }

    private ValueTask OnRetry(OnRetryArguments<AgentReply> args)
    {
        if (!args.Context.Properties.TryGetValue(CallKey, out var call))
        {
            return default;
        }

        var failure = AgentRetryRules.Classify(args.Outcome);
        call.LastFailureUnreachable = failure == AgentFailure.Unreachable;
        call.EarlierAttemptMayHaveTakenEffect |= failure?.AgentMayHaveActed() == true;
        if (args.Outcome.Exception is { } exception)
        {
            call.LastStatus = null;
            call.LastFailure = AgentErrorText.DescribeFailure(_options.Endpoint, exception);
        }
        else
        {
            call.LastStatus = args.Outcome.Result.Status;
            call.LastFailure = AgentErrorText.DescribeStatus(args.Outcome.Result.Status, args.Outcome.Result.Body);
        }

        _statistics.RecordRetry();
        LogRetrying(_logger, call.Description, Endpoint, call.LastFailure, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
        return default;
    }

    private async Task<AgentReply> SendAsync(AgentCall call, CancellationToken cancellationToken)
    {
        _statistics.RecordCall();
        call.Budget = CallDeadline.Bound(_options.TotalBudget, _timeProvider);
        if (call.Budget < MinimumBudget)
        {
            throw Fail(
                $"{call.Description} was not sent to the Cilium agent at {Endpoint}: the Docker call it serves has used up its {AgentErrorText.FormatDuration(_options.TotalBudget)} (RETRY_BUDGET) on earlier agent calls",
                AgentFailure.OutOfTime,
                statusCode: null);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        try
        {
            var reply = await _pipeline.ExecuteAsync(
                static (ctx, state) => state.Client.AttemptAsync(state.Call, ctx.CancellationToken),
                context,
                (Client: this, Call: call)).ConfigureAwait(false);
            LogAnswered(_logger, call.Description, (int)reply.Status, call.Attempts);
            return reply;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException exception)
        {
            throw call.BudgetExhausted ? BudgetFailure(call, exception) : AttemptTimeoutFailure(call, exception);
        }
        catch (Exception exception)
        {
            throw TransportFailure(call, exception);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<AgentReply> AttemptAsync(AgentCall call, CancellationToken cancellationToken)
    {
        using var request = call.CreateRequest(_baseAddress);

        // The default completion option buffers the whole body inside SendAsync, under the attempt's token.
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError == HttpRequestError.ConnectionError)
        {
            _statistics.RecordNotDelivered(_timeProvider.GetUtcNow());
            throw;
        }

        using (response)
        {
            _statistics.RecordDelivered();
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new AgentReply(response.StatusCode, body);
        }
    }

    /// <summary>The agent has been unreachable for longer than a whole budget: waiting for it again would only make
    /// every Docker call take its full deadline to fail. One attempt per call still goes out, so recovery is immediate.</summary>
    private bool OutageOutlastsBudget() => _statistics.OutageLongerThan(_options.TotalBudget, _timeProvider.GetUtcNow()) is not null;

    private void EnsureSuccess(AgentCall call, AgentReply reply)
    {
        if (!reply.IsSuccess)
        {
            throw StatusFailure(call, reply);
        }
    }

    private T? Decode<T>(AgentCall call, AgentReply reply, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (reply.Body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(reply.Body, typeInfo);
        }
        catch (JsonException exception)
        {
            throw BadAnswer(call, reply, $"with JSON the plugin cannot read ({exception.Message})");
        }
    }

    // Below this, a budget cannot hold even one exchange over a local socket; Polly also treats a zero timeout as none.
    private static readonly TimeSpan MinimumBudget = TimeSpan.FromMilliseconds(50);

    private CiliumAgentException StatusFailure(AgentCall call, AgentReply reply, string? note = null)
    {
        var message = $"{call.Description} failed: Cilium agent at {Endpoint} answered "
            + AgentErrorText.DescribeStatus(reply.Status, reply.Body)
            + AttemptsSuffix(call);
        if (AgentErrorText.StatusHint(reply.Status) is { } hint)
        {
            message += "; " + hint;
        }

        if (note is not null)
        {
            message += "; " + note;
        }

        return Fail(message, AgentFailureFacts.FromStatus((int)reply.Status), (int)reply.Status);
    }

    private CiliumAgentException BadAnswer(AgentCall call, AgentReply reply, string what) =>
        Fail($"{call.Description} failed: Cilium agent at {Endpoint} answered {AgentErrorText.StatusText(reply.Status)} {what}; is the agent a compatible Cilium version?", AgentFailure.BadAnswer, (int)reply.Status);

    private CiliumAgentException BudgetFailure(AgentCall call, TimeoutRejectedException exception)
    {
        var last = call.LastFailure ?? "no answer";
        var hint = call.LastFailureUnreachable
            ? AgentErrorText.UnreachableHint(_options.Endpoint, socketError: null)
            : "see the cilium-agent log";
        var consequence = call.Safety == AgentCallSafety.OnlyUnprocessed && !call.LastFailureUnreachable
            ? "; the agent may still carry it out, so it was not repeated"
            : string.Empty;
        var within = call.Budget < _options.TotalBudget
            ? $"the {AgentErrorText.FormatRemaining(call.Budget)} this Docker call had left"
            : AgentErrorText.FormatDuration(call.Budget);
        var failure = call.LastFailureUnreachable ? AgentFailure.Unreachable
            : call.LastStatus is { } lastStatus ? AgentFailureFacts.FromStatus((int)lastStatus)
            : AgentFailure.NoAnswer;
        return Fail(
            $"{call.Description} failed: Cilium agent at {Endpoint} gave no usable answer within {within} ({call.Attempts} attempts; last: {last}){consequence}: {hint}",
            failure,
            call.LastStatus is { } status ? (int)status : null,
            exception);
    }

    private CiliumAgentException AttemptTimeoutFailure(AgentCall call, TimeoutRejectedException exception)
    {
        var consequence = call.Safety == AgentCallSafety.OnlyUnprocessed
            ? "; the agent may still carry it out, so it was not repeated"
            : string.Empty;
        return Fail(
            $"{call.Description} failed: Cilium agent at {Endpoint} did not answer within {AgentErrorText.FormatDuration(_options.AttemptTimeout)}{AttemptsSuffix(call)}{consequence}: is cilium-agent overloaded or stuck? See its log",
            AgentFailure.NoAnswer,
            statusCode: null,
            exception);
    }

    private CiliumAgentException TransportFailure(AgentCall call, Exception exception)
    {
        var description = AgentErrorText.DescribeFailure(_options.Endpoint, exception);
        if (exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
        {
            var hint = AgentErrorText.UnreachableHint(_options.Endpoint, AgentRetryRules.FindSocketError(exception));
            var attempts = call.Attempts > 1 ? $", {call.Attempts} attempts" : string.Empty;
            var outage = _statistics.OutageLongerThan(_options.TotalBudget, _timeProvider.GetUtcNow()) is { } length
                ? $"; unreachable for {AgentErrorText.FormatDuration(length)}, so calls no longer wait for it"
                : string.Empty;
            return Fail($"{call.Description} failed: Cilium agent at {Endpoint} is unreachable ({description}{attempts}{outage}): {hint}", AgentFailure.Unreachable, statusCode: null, exception);
        }

        return Fail($"{call.Description} failed: Cilium agent at {Endpoint}: {description}{AttemptsSuffix(call)}; see the cilium-agent log", AgentFailure.NoAnswer, statusCode: null, exception);
    }

    private CiliumAgentException Fail(string message, AgentFailure failure, int? statusCode, Exception? innerException = null)
    {
        _statistics.RecordFailure(failure, message);
        LogCallFailed(_logger, message);
        return new CiliumAgentException(message, failure, statusCode, innerException);
    }

    private static string AttemptsSuffix(AgentCall call) =>
        call.Attempts > 1 ? $" (after {call.Attempts} attempts)" : string.Empty;

    // Debug: while the agent is down, the config monitor reports the outage once instead of every retry.
    [LoggerMessage(EventId = 406, Level = LogLevel.Debug,
        Message = "Retrying {Call} to the Cilium agent at {Endpoint} after: {Failure} (retry {Retry}, in {DelayMs} ms)")]
    private static partial void LogRetrying(ILogger logger, string call, string endpoint, string failure, int retry, double delayMs);

    [LoggerMessage(EventId = 407, Level = LogLevel.Debug, Message = "{Call} answered {Status} after {Attempts} attempt(s)")]
    private static partial void LogAnswered(ILogger logger, string call, int status, int attempts);

    [LoggerMessage(EventId = 408, Level = LogLevel.Debug, Message = "{Message}")]
    private static partial void LogCallFailed(ILogger logger, string message);
}
