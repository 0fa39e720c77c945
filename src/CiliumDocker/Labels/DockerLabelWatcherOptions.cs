namespace CiliumDocker.Labels;

/// <summary>Timing of the label watcher. The defaults suit a real engine; tests shrink them.</summary>
internal sealed class DockerLabelWatcherOptions
{
    /// <summary>First delay before reconnecting to Docker; it doubles (with jitter) up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between reconnect attempts, so a restarted dockerd is found again within this time.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a Docker socket that was not there at start is looked for again.</summary>
    public TimeSpan SocketRecheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit on each Docker call other than the events stream itself.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of one Docker inspect that failed transiently, and how many times a container whose PATCH
    /// failed transiently (the agent client had already retried within its budget) is queued again.</summary>
    public int LabelRetryAttempts { get; init; } = 5;

    /// <summary>First delay between those retries; it doubles up to <see cref="MaxLabelRetryDelay"/>.</summary>
    public TimeSpan LabelRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxLabelRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Containers labelled at the same time, so one slow container does not hold up the others.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>An event line longer than this is skipped instead of buffered.</summary>
    public int MaxEventLineBytes { get; init; } = 1024 * 1024;
}
