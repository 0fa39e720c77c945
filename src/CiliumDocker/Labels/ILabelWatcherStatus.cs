namespace CiliumDocker.Labels;

/// <summary>What <c>/Plugin.Health</c> reports about copying container labels onto Cilium endpoints.</summary>
internal interface ILabelWatcherStatus
{
    LabelWatcherState State { get; }

    /// <summary>Cilium endpoints the agent accepted labels for since start.</summary>
    long EndpointsLabelled { get; }

    /// <summary>The latest problem since the watcher last connected to Docker (or why it is disabled); null if none.</summary>
    string? LastError { get; }
}

internal enum LabelWatcherState
{
    /// <summary>No Docker API socket was given or found.</summary>
    Disabled,
    Connecting,
    Watching,
}
