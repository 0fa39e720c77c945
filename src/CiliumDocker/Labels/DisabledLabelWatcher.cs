namespace CiliumDocker.Labels;

/// <summary>The status when no Docker host is configured: labelling is off, and health says so.</summary>
internal sealed class DisabledLabelWatcher : ILabelWatcherStatus
{
    public LabelWatcherState State => LabelWatcherState.Disabled;

    public long EndpointsLabelled => 0;

    public string? LastError => "no Docker host configured";
}
