namespace CiliumDocker.Bench.Processes;

/// <summary>
/// The command line that starts one plugin as a legacy plugin on a socket of the benchmark's own. Both binaries take
/// <c>--docker-plugins DIR</c> (socket <c>DIR/cilium.sock</c>), <c>--cilium-api unix://…</c> and
/// <c>--docker-host-path</c>; the latter points at a socket that does not exist, because neither benchmark has a
/// Docker Engine and a plugin that found the host's dockerd would watch other people's containers.
/// </summary>
/// <param name="FileName">the program to exec (<c>ip</c> when the plugin runs inside a namespace).</param>
/// <param name="SocketPath">where the plugin listens.</param>
internal sealed record PluginCommand(string FileName, IReadOnlyList<string> Arguments, string SocketPath)
{
    /// <param name="binary">the plugin's executable.</param>
    /// <param name="plugins">the <c>--docker-plugins</c> directory.</param>
    /// <param name="state">our plugin's <c>--state-dir</c> (the original keeps no state).</param>
    /// <param name="noDockerSocket">a path where no Docker Engine listens.</param>
    /// <param name="withVeth">ours creates veth pairs, else <c>--datapath none</c>. The original has no such switch:
    /// it creates a veth pair whenever the agent's <c>/v1/config</c> says <c>datapathMode: veth</c>, as the
    /// simulator's does, so for it <paramref name="withVeth"/> must be true.</param>
    public static PluginCommand For(PluginKind kind, string binary, string plugins, string state, string agentSocket, string noDockerSocket, bool withVeth)
    {
        List<string> arguments = ["--docker-plugins", plugins, "--cilium-api", "unix://" + agentSocket];
        switch (kind)
        {
            case PluginKind.Ours:
                arguments.AddRange(["--state-dir", state, "--docker-host-path", "unix://" + noDockerSocket]);
                if (!withVeth)
                {
                    arguments.AddRange(["--datapath", "none"]);
                }

                break;
            case PluginKind.Original:
                if (!withVeth)
                {
                    throw new ArgumentException("the original plugin always creates veth pairs (it has no datapath switch)", nameof(withVeth));
                }

                // No -D: at its default level the original logs nothing per request, so its log is its warnings.
                arguments.AddRange(["--docker-host-path", "unix://" + noDockerSocket]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        return new PluginCommand(binary, arguments, Path.Combine(plugins, "cilium.sock"));
    }

    /// <summary>The same command run by <c>ip netns exec NAME</c>, which execs it: the PID stays the plugin's.</summary>
    public PluginCommand InNamespace(string name) => this with { FileName = "ip", Arguments = ["netns", "exec", name, FileName, .. Arguments] };
}
