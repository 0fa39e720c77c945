using System.Text.Json.Serialization;

namespace CiliumAgentSim.Faults;

/// <summary>
/// Body of <c>POST /faults</c>. Each field that is present switches one fault; <c>path</c> (a prefix such as
/// <c>/v1/endpoint</c>) and <c>method</c> limit the faults set in the same body.
/// </summary>
internal sealed class FaultRequest
{
    [JsonPropertyName("failNext")]
    public int? FailNext { get; init; }

    [JsonPropertyName("status")]
    public int? Status { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("abortNext")]
    public int? AbortNext { get; init; }

    /// <summary>Abort after the request took effect (work done, answer lost) instead of before handling it.</summary>
    [JsonPropertyName("abortAfter")]
    public bool? AbortAfter { get; init; }

    [JsonPropertyName("delayMs")]
    public int? DelayMs { get; init; }

    /// <summary>Delay the answer after the request took effect instead of before it is handled.</summary>
    [JsonPropertyName("delayAfter")]
    public bool? DelayAfter { get; init; }

    [JsonPropertyName("blackhole")]
    public bool? Blackhole { get; init; }

    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("method")]
    public string? Method { get; init; }
}

/// <summary>Answer of <c>GET /faults</c>: the faults in force.</summary>
internal sealed class FaultStatus
{
    [JsonPropertyName("failNext")]
    public FailRule? FailNext { get; init; }

    [JsonPropertyName("abortNext")]
    public AbortRule? AbortNext { get; init; }

    [JsonPropertyName("delay")]
    public DelayRule? Delay { get; init; }

    [JsonPropertyName("blackhole")]
    public bool Blackhole { get; init; }

    /// <summary>Requests a fault has touched since the simulator started.</summary>
    [JsonPropertyName("injected")]
    public long Injected { get; init; }
}

internal record RequestFilter
{
    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("method")]
    public string? Method { get; init; }

    public bool Matches(string method, string path) =>
        (Path is null || path.StartsWith(Path, StringComparison.Ordinal))
        && (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase));
}

internal record CountRule : RequestFilter
{
    [JsonPropertyName("remaining")]
    public int Remaining { get; init; }
}

internal sealed record AbortRule : CountRule
{
    [JsonPropertyName("after")]
    public bool After { get; init; }
}

internal sealed record FailRule : CountRule
{
    [JsonPropertyName("status")]
    public int Status { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }
}

internal sealed record DelayRule : RequestFilter
{
    [JsonPropertyName("delayMs")]
    public int DelayMs { get; init; }

    [JsonPropertyName("after")]
    public bool After { get; init; }
}
