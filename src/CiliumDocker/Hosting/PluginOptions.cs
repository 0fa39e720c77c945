using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;

namespace CiliumDocker.Hosting;

/// <summary>Everything the command line and the environment decide. Defaults match the original plugin.</summary>
internal sealed record PluginOptions
{
    public const string DefaultCiliumApi = "unix:///var/run/cilium/cilium.sock";
    public const string DefaultDockerHostPath = "unix:///var/run/docker.sock";
    public const string DefaultDockerPlugins = "/run/docker/plugins";
    public const string DefaultStateDir = "/var/lib/cilium-docker";

    /// <summary>The socket's file name is the legacy plugin name Docker resolves: <c>--driver cilium</c>.</summary>
    public const string SocketFileName = "cilium.sock";

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>The agent API (<c>--cilium-api</c>), parsed once by the command line.</summary>
    public SocketEndpoint CiliumApi { get; init; } = SocketEndpoint.Parse(DefaultCiliumApi);

    /// <summary>The Docker API the label watcher reads events from.</summary>
    public string DockerHostPath { get; init; } = DefaultDockerHostPath;

    public string DockerPluginsDirectory { get; init; } = DefaultDockerPlugins;

    /// <summary>Where the address ledger and the endpoint cleanup queue survive restarts.</summary>
    public string StateDirectory { get; init; } = DefaultStateDir;

    /// <summary>
    /// <c>RETRY_BUDGET</c>: the deadline of one Docker call, shared by every agent call made for it, and the budget of
    /// one agent call made in the background; null keeps the agent client's default.
    /// </summary>
    public TimeSpan? AgentRetryBudget { get; init; }

    /// <summary>How long one Docker call may wait for the agent; Docker itself gives a plugin call 30 s.</summary>
    public TimeSpan DockerCallDeadline => AgentRetryBudget ?? new AgentClientOptions().TotalBudget;

    /// <summary>How long an address reserved by IP waits for its endpoint before it is released again.</summary>
    public TimeSpan AddressClaimTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often owed releases and endpoint deletions are retried.</summary>
    public TimeSpan JanitorInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether endpoints get a veth pair; <see cref="EndpointDatapathKind.None"/> exists for benchmarks.</summary>
    public EndpointDatapathKind EndpointDatapath { get; init; } = EndpointDatapathKind.Veth;

    /// <summary>
    /// Whether Docker's calls, and the agent answers they wait for, are served on the thread that polls the sockets
    /// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>, on unless set to 0). Handing each socket completion to
    /// the thread pool costs a thread wake-up per exchange, ten per container lifecycle: a fifth of the plugin's CPU
    /// (bench/README.md). What runs there must not block: the datapath's netlink work runs on threads of its own
    /// (<c>DedicatedThreadEndpointDatapath</c>); parsing, the agent client, the state files' appends and the
    /// occasional fsync of a reservation (0.2 ms on the CI disk) stay.
    /// </summary>
    public bool InlineIo { get; init; } = true;

    /// <summary>
    /// Socket threads (<c>DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT</c>); null leaves the runtime's count. With inline
    /// I/O the runtime runs one per core, each polling and serving its share of the sockets: the plugin's whole load
    /// fits one core many times over (2,000 container lifecycles a second on this machine's), and one loop spent a
    /// fifth less CPU per lifecycle than two, which woke each other and the agent across both cores (bench/README.md).
    /// </summary>
    public int? SocketThreads { get; init; }

    /// <summary>What the runtime is given: <see cref="SocketThreads"/>, else one thread when I/O is inline.</summary>
    public int? EffectiveSocketThreads => SocketThreads ?? (InlineIo ? 1 : null);

    public string SocketPath => Path.Combine(DockerPluginsDirectory, SocketFileName);

    /// <summary>The agent client's settings: where the agent is, and the retry budget when one was given.</summary>
    public AgentClientOptions ToAgentClientOptions()
    {
        var defaults = new AgentClientOptions();
        return AgentRetryBudget is not { } budget
            ? new AgentClientOptions { Endpoint = CiliumApi }
            : new AgentClientOptions
            {
                Endpoint = CiliumApi,
                TotalBudget = budget,

                // One attempt may not outlast the whole budget.
                AttemptTimeout = budget < defaults.AttemptTimeout ? budget : defaults.AttemptTimeout,
            };
    }
}

/// <summary>What CreateEndpoint does on the host (<c>--datapath</c>).</summary>
internal enum EndpointDatapathKind
{
    /// <summary>A veth pair per endpoint, as the original plugin in the agent's veth datapath mode.</summary>
    Veth,

    /// <summary>
    /// No interface at all: the plugin's own cost without the kernel's link work (bench/README.md). Join still names
    /// the interface Docker would move, so Docker cannot start a container on such a plugin.
    /// </summary>
    None,
}
