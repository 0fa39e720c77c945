namespace CiliumDocker.Infrastructure;

/// <summary>
/// A request the plugin refuses: bad input, or something it cannot honour. Any layer may throw it; the message
/// reaches the user (Docker prints it after the method name), so it says what is wrong and what to do.
/// </summary>
internal sealed class RequestRefusedException : Exception
{
    public RequestRefusedException(string message)
        : base(message)
    {
    }

    public RequestRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
