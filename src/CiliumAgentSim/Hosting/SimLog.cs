namespace CiliumAgentSim.Hosting;

internal static partial class SimLog
{
    [LoggerMessage(1, LogLevel.Information, "{Method} {Path}{Query} -> {Status}")]
    public static partial void Request(ILogger logger, string method, string path, string query, int status);

    [LoggerMessage(2, LogLevel.Debug, "datapath: {Command}")]
    public static partial void Command(ILogger logger, string command);

    [LoggerMessage(3, LogLevel.Debug, "datapath: {Command} failed (ignored): {Error}")]
    public static partial void CommandIgnored(ILogger logger, string command, string error);

    [LoggerMessage(4, LogLevel.Warning, "datapath: could not undo routes of {Interface}: {Error}")]
    public static partial void DetachFailed(ILogger logger, string @interface, string error);

    [LoggerMessage(5, LogLevel.Warning, "datapath: cleanup incomplete: {Error}")]
    public static partial void CleanupIncomplete(ILogger logger, string error);

    [LoggerMessage(6, LogLevel.Error, "agent socket could not come back: {Error}")]
    public static partial void ComebackFailed(ILogger logger, string error);

    [LoggerMessage(7, LogLevel.Warning, "datapath: translation of service {Id} failed: {Error}")]
    public static partial void ServiceDatapathFailed(ILogger logger, uint id, string error);
}
