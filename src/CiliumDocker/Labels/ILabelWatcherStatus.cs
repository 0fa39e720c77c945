namespace CiliumDocker.Labels;

/// <summary>What <c>/Plugin.Health</c> reports about copying container labels onto Cilium endpoints.</summary>
internal interface ILabelWatcherStatus
{
    LabelWatcherState State { get; }

    long EndpointsLabelled { get; }

    string? LastError { get; }
}

internal enum LabelWatcherState
{
    /// <summary>No Docker API socket was given or found.</summary>
    Disabled,
    Connecting,
    Watching,
}
