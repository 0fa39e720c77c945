using System.Globalization;
using CiliumDocker.Infrastructure;
using CiliumDocker.Labels;

namespace CiliumDocker.Hosting;

/// <summary>
/// The original plugin's flags (cobra style: <c>--flag value</c> or <c>--flag=value</c>), plus the environment
/// variables a managed plugin's config.json can make settable. A flag wins over its variable.
/// </summary>
internal static class CommandLine
{
    public const string UnixScheme = "unix://";
    public const string TcpScheme = "tcp://";

    public const string Usage = """
        Usage: cilium-docker [flags]

        Cilium plugin for Docker (libnetwork): network driver and IPAM driver "cilium".

        Flags:
          -D, --debug                    log at debug level (same as LOG_LEVEL=debug)
              --cilium-api URI           Cilium agent API, unix:///path or tcp://host:port
                                         (default unix://$CILIUM_SOCK, else unix:///var/run/cilium/cilium.sock)
              --docker-host-path URI     Docker API for the label watcher (env DOCKER_HOST_PATH,
                                         default unix:///var/run/docker.sock)
              --docker-plugins DIR       directory of the plugin socket DIR/cilium.sock (default /run/docker/plugins)
              --state-dir DIR            state kept across restarts (env STATE_DIR, default /var/lib/cilium-docker)
              --datapath veth|none       veth (default): create each endpoint's veth pair; none: create no interface,
                                         for benchmarking the plugin alone (Docker cannot start containers with it)
          -h, --help                     show this help
              --version                  show the version

        Environment:
          LOG_LEVEL              debug | info | warn | error (default info)
          CILIUM_SOCK            agent socket path, used when --cilium-api is not given
          RETRY_BUDGET           seconds one Docker call may wait for the agent, retries included
          ADDRESS_CLAIM_TIMEOUT  seconds an address reserved by IP waits for its container (default 600)
          DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS
                                 1 (default): serve calls on the socket thread; 0: hand each socket
                                 completion to the thread pool
          DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT
                                 socket threads, 1 to 64 (default 1 with inline completions)
        """;

    /// <summary>The runtime's own switch for inline socket completions; the plugin's Kestrel follows it.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The runtime's count of socket threads (epoll loops).</summary>
    public const string SocketThreadsVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    private const int MaxSocketThreads = 64;

    public static CommandLineResult Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);

        var debug = false;
        string? ciliumApi = null;
        string? dockerHostPath = null;
        string? dockerPlugins = null;
        string? stateDir = null;
        var datapath = EndpointDatapathKind.Veth;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = Split(args[i]);
            switch (name)
            {
                case "-h" or "--help" or "help":
                    return CommandLineResult.Help();
                case "--version" or "version":
                    return CommandLineResult.Version();
                case "-D" or "--debug" when inlineValue is null or "true":
                    debug = true;
                    continue;
                case "-D" or "--debug" when inlineValue is "false":
                    continue;
                case "--cilium-api":
                case "--docker-host-path":
                case "--docker-plugins":
                case "--state-dir":
                case "--datapath":
                    var value = inlineValue;
                    if (value is null)
                    {
                        if (i + 1 >= args.Count)
                        {
                            return CommandLineResult.Error($"flag needs an argument: {name}");
                        }

                        value = args[++i];
                    }

                    if (value.Length == 0)
                    {
                        return CommandLineResult.Error($"flag {name} needs a non-empty value");
                    }

                    switch (name)
                    {
                        case "--cilium-api":
                            ciliumApi = value;
                            break;
                        case "--docker-host-path":
                            dockerHostPath = value;
                            break;
                        case "--docker-plugins":
                            dockerPlugins = value;
                            break;
                        case "--datapath":
                            if (!TryParseDatapath(value, out datapath))
                            {
                                return CommandLineResult.Error($"--datapath {value} is not one of veth, none");
                            }

                            break;
                        default:
                            stateDir = value;
                            break;
                    }

                    continue;
                default:
                    return CommandLineResult.Error(args[i].StartsWith('-') ? $"unknown flag: {args[i]}" : $"unexpected argument: {args[i]}");
            }
        }

        // Each value is checked here, once, with the parser its component uses: a bad one is named now, never later
        // as a stack trace.
        var sockVariable = NonEmpty(environment("CILIUM_SOCK"));
        var ciliumApiSource = ciliumApi is null && sockVariable is not null ? "CILIUM_SOCK" : "--cilium-api";
        ciliumApi ??= sockVariable is not null ? UnixScheme + sockVariable : PluginOptions.DefaultCiliumApi;
        var dockerHostVariable = NonEmpty(environment("DOCKER_HOST_PATH"));
        var dockerHostSource = dockerHostPath is null && dockerHostVariable is not null ? "DOCKER_HOST_PATH" : "--docker-host-path";
        dockerHostPath ??= dockerHostVariable ?? PluginOptions.DefaultDockerHostPath;
        SocketEndpoint agentSocket;
        try
        {
            agentSocket = SocketEndpoint.Parse(ciliumApi);
        }
        catch (FormatException ex)
        {
            return CommandLineResult.Error($"{ciliumApiSource}: {ex.Message}");
        }

        try
        {
            _ = DockerHost.Parse(dockerHostPath);
        }
        catch (FormatException ex)
        {
            return CommandLineResult.Error($"{dockerHostSource}: {ex.Message}");
        }

        var logLevel = LogLevel.Information;
        if (debug)
        {
            logLevel = LogLevel.Debug;
        }
        else if (NonEmpty(environment("LOG_LEVEL")) is { } levelText && !TryParseLogLevel(levelText, out logLevel))
        {
            return CommandLineResult.Error($"LOG_LEVEL={levelText} is not one of debug, info, warn, error");
        }

        if (!TryParseSeconds(environment, "RETRY_BUDGET", MaxRetryBudgetSeconds, out var retryBudget, out var error)
            || !TryParseSeconds(environment, "ADDRESS_CLAIM_TIMEOUT", MaxClaimTimeoutSeconds, out var claimTimeout, out error))
        {
            return CommandLineResult.Error(error!);
        }

        // The runtime takes anything but "1" as off; a typo must not silently change how every call is served.
        var inlineText = NonEmpty(environment(InlineCompletionsVariable));
        var inlineIo = inlineText switch
        {
            null or "1" => true,
            "0" => false,
            _ => (bool?)null,
        };
        if (inlineIo is null)
        {
            return CommandLineResult.Error($"{InlineCompletionsVariable}={inlineText} is not 0 or 1");
        }

        int? socketThreads = null;
        if (NonEmpty(environment(SocketThreadsVariable)) is { } threadsText)
        {
            if (!int.TryParse(threadsText, NumberStyles.None, CultureInfo.InvariantCulture, out var threads) || threads is < 1 or > MaxSocketThreads)
            {
                return CommandLineResult.Error($"{SocketThreadsVariable}={threadsText} is not a whole number from 1 to {MaxSocketThreads}");
            }

            socketThreads = threads;
        }

        var options = new PluginOptions
        {
            LogLevel = logLevel,
            CiliumApi = agentSocket,
            DockerHostPath = dockerHostPath,
            DockerPluginsDirectory = dockerPlugins ?? PluginOptions.DefaultDockerPlugins,
            StateDirectory = stateDir ?? NonEmpty(environment("STATE_DIR")) ?? PluginOptions.DefaultStateDir,
            AgentRetryBudget = retryBudget,
            EndpointDatapath = datapath,
            InlineIo = inlineIo.Value,
            SocketThreads = socketThreads,
        };
        return CommandLineResult.Run(claimTimeout is { } timeout ? options with { AddressClaimTimeout = timeout } : options);
    }

    private static bool TryParseDatapath(string text, out EndpointDatapathKind datapath)
    {
        (var known, datapath) = text switch
        {
            "veth" => (true, EndpointDatapathKind.Veth),
            "none" => (true, EndpointDatapathKind.None),
            _ => (false, EndpointDatapathKind.Veth),
        };
        return known;
    }

    public static bool TryParseLogLevel(string text, out LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(text);
        (var known, level) = text.Trim().ToLowerInvariant() switch
        {
            "debug" => (true, LogLevel.Debug),
            "info" => (true, LogLevel.Information),
            "warn" or "warning" => (true, LogLevel.Warning),
            "error" => (true, LogLevel.Error),
            _ => (false, LogLevel.Information),
        };
        return known;
    }

    private static (string Name, string? InlineValue) Split(string arg)
    {
        var equals = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=', StringComparison.Ordinal) : -1;
        return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // Docker gives a plugin call 30 s: a budget far beyond only delays Docker's own timeout message.
    private const double MaxRetryBudgetSeconds = 300;
    private const double MaxClaimTimeoutSeconds = 7 * 24 * 3600;

    private static bool TryParseSeconds(Func<string, string?> environment, string variable, double maxSeconds, out TimeSpan? value, out string? error)
    {
        value = null;
        error = null;
        if (NonEmpty(environment(variable)) is not { } text)
        {
            return true;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds >= 1) || seconds > maxSeconds)
        {
            error = $"{variable}={text} is not a number of seconds from 1 to {maxSeconds.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}

internal enum CommandLineAction
{
    Run,
    Help,
    Version,
    Error,
}

internal sealed record CommandLineResult(CommandLineAction Action, PluginOptions? Options = null, string? ErrorMessage = null)
{
    public static CommandLineResult Run(PluginOptions options) => new(CommandLineAction.Run, options);

    public static CommandLineResult Help() => new(CommandLineAction.Help);

    public static CommandLineResult Version() => new(CommandLineAction.Version);

    public static CommandLineResult Error(string message) => new(CommandLineAction.Error, ErrorMessage: message);
}
