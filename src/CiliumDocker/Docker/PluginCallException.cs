namespace CiliumDocker.Docker;

/// <summary>
/// A Docker call the plugin refuses: bad input or a request it cannot honour. The message reaches the user
/// (Docker prints it after the method name), so it says what is wrong and what to do.
/// </summary>
internal sealed class PluginCallException : Exception
{
    public PluginCallException(string message)
        : base(message)
    {
    }

    public PluginCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
