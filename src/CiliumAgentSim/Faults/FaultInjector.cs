namespace CiliumAgentSim.Faults;

/// <summary>What to do to one agent request.</summary>
internal readonly record struct FaultDecision(Task? Blackhole, AbortRule? Abort, FailRule? Fail, DelayRule? Delay);

/// <summary>
/// Faults switched at run time through the control socket. Counted faults (fail, abort) are consumed by the
/// requests they match; delay and blackhole stay until cleared. Thread-safe.
/// </summary>
internal sealed class FaultInjector
{
    public const string DefaultFailMessage = "fault injected by cilium-agent-sim";

    private readonly Lock _gate = new();
    private FailRule? _fail;
    private AbortRule? _abort;
    private DelayRule? _delay;
    private TaskCompletionSource? _blackhole;
    private long _injected;

    /// <summary>Validates and applies <paramref name="request"/>; returns an error message instead when it is bad.</summary>
    public string? Apply(FaultRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Validate(request) is { } error)
        {
            return error;
        }

        var filter = new RequestFilter { Path = request.Path, Method = request.Method };
        lock (_gate)
        {
            if (request.FailNext is { } failNext)
            {
                _fail = failNext == 0 ? null : new FailRule
                {
                    Remaining = failNext,
                    Status = request.Status ?? 500,
                    Message = request.Message,
                    Path = filter.Path,
                    Method = filter.Method,
                };
            }

            if (request.AbortNext is { } abortNext)
            {
                _abort = abortNext == 0 ? null : new AbortRule
                {
                    Remaining = abortNext,
                    After = request.AbortAfter ?? false,
                    Path = filter.Path,
                    Method = filter.Method,
                };
            }

            if (request.DelayMs is { } delayMs)
            {
                _delay = delayMs == 0 ? null : new DelayRule
                {
                    DelayMs = delayMs,
                    After = request.DelayAfter ?? false,
                    Path = filter.Path,
                    Method = filter.Method,
                };
            }

            if (request.Blackhole is { } blackhole)
            {
                SetBlackholeLocked(blackhole);
            }
        }

        return null;
    }

    public void Clear()
    {
        lock (_gate)
        {
            _fail = null;
            _abort = null;
            _delay = null;
            SetBlackholeLocked(false);
        }
    }

    public FaultStatus Status()
    {
        lock (_gate)
        {
            return new FaultStatus
            {
                FailNext = _fail,
                AbortNext = _abort,
                Delay = _delay,
                Blackhole = _blackhole is not null,
                Injected = _injected,
            };
        }
    }

    /// <summary>Decides the fault for one request and consumes one unit of the counted fault that applies.</summary>
    public FaultDecision Decide(string method, string path)
    {
        lock (_gate)
        {
            if (_blackhole is { } hole)
            {
                _injected++;
                return new FaultDecision(hole.Task, null, null, null);
            }

            if (_abort is { } abort && abort.Matches(method, path))
            {
                _abort = abort.Remaining == 1 ? null : abort with { Remaining = abort.Remaining - 1 };
                _injected++;
                return new FaultDecision(null, abort, null, null);
            }

            if (_fail is { } fail && fail.Matches(method, path))
            {
                _fail = fail.Remaining == 1 ? null : fail with { Remaining = fail.Remaining - 1 };
                _injected++;
                return new FaultDecision(null, null, fail, null);
            }

            if (_delay is { } delay && delay.Matches(method, path))
            {
                _injected++;
                return new FaultDecision(null, null, null, delay);
            }

            return default;
        }
    }

    private static string? Validate(FaultRequest request)
    {
        if (request.FailNext is < 0 || request.AbortNext is < 0 || request.DelayMs is < 0)
        {
            return "failNext, abortNext and delayMs must not be negative";
        }

        if (request.Status is { } status && (status < 400 || status > 599))
        {
            return $"status {status} is not an error status (400-599)";
        }

        if (request.Status is not null && request.FailNext is null)
        {
            return "status only applies together with failNext";
        }

        if (request.AbortAfter is not null && request.AbortNext is null)
        {
            return "abortAfter only applies together with abortNext";
        }

        if (request.Path is { } path && !path.StartsWith('/'))
        {
            return $"path \"{path}\" must start with '/', e.g. /v1/endpoint";
        }

        return request is { FailNext: null, AbortNext: null, DelayMs: null, Blackhole: null }
            ? "no fault given: set failNext, abortNext, delayMs or blackhole"
            : null;
    }

    private void SetBlackholeLocked(bool on)
    {
        if (on)
        {
            _blackhole ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        else
        {
            // Requests held in the blackhole go on to be answered normally.
            _blackhole?.TrySetResult();
            _blackhole = null;
        }
    }
}
