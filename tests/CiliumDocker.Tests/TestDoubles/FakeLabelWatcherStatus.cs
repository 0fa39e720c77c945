using CiliumDocker.Labels;

namespace CiliumDocker.Tests.TestDoubles;

internal sealed class FakeLabelWatcherStatus : ILabelWatcherStatus
{
    public LabelWatcherState State { get; set; } = LabelWatcherState.Disabled;

    public long EndpointsLabelled { get; set; }

    public string? LastError { get; set; }
}
