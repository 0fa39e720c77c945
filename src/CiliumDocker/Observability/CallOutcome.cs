namespace CiliumDocker.Observability;

internal enum CallOutcome
{
    Success,
    Error,
    NotFound,

    /// <summary>Docker hung up before the answer was ready.</summary>
    Aborted,
}
