namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// How the plugin under test runs: as a managed (v2) plugin that Docker runs, or as the same binary on the host as a
/// legacy plugin (socket <c>/run/docker/plugins/cilium.sock</c>, driver name <c>cilium</c>).
/// </summary>
public abstract class PluginForm
{
    /// <summary>The name <c>--driver</c> and <c>--ipam-driver</c> take.</summary>
    public abstract string Driver { get; }

    public static PluginForm Managed(string name) => new ManagedForm(name);

    public static PluginForm Legacy() => new LegacyForm();

    /// <summary>Installs and starts the plugin; <paramref name="cleanup"/> removes it.</summary>
    internal abstract void Start(Cleanup cleanup);

    /// <summary>The plugin process goes away and comes back, with containers still attached.</summary>
    internal abstract void Restart();

    private sealed class ManagedForm(string name) : PluginForm
    {
        public override string Driver => name;

        internal override void Start(Cleanup cleanup) => ManagedPlugin.CreateEnabled(cleanup, name);

        /// <summary>Killed as a crash would; Docker starts the plugin again by itself.</summary>
        internal override void Restart()
        {
            var before = ManagedPlugin.Pid(name);
            Shell.MustRun("kill", "-KILL", before.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!Eventually.Until(() => ManagedPlugin.TryPid(name) is { } pid && pid != before, TimeSpan.FromSeconds(60)))
            {
                throw new InvalidOperationException($"Docker did not restart the plugin {name} after its process {before} was killed");
            }
        }

        public override string ToString() => "managed " + name;
    }

    private sealed class LegacyForm : PluginForm
    {
        private const string PluginsDirectory = "/run/docker/plugins";
        private static readonly string Socket = Path.Combine(PluginsDirectory, "cilium.sock");
        private ChildProcess? _process;

        public override string Driver => "cilium";

        internal override void Start(Cleanup cleanup)
        {
            cleanup.Add(Stop);
            Launch();
        }

        /// <summary>Stopped with SIGTERM and started again, as <c>systemctl restart</c> would.</summary>
        internal override void Restart()
        {
            Stop();
            Launch();
        }

        private void Launch()
        {
            _process = ChildProcess.Start(
                RepositoryPaths.PluginBinary,
                ["--docker-plugins", PluginsDirectory, "--cilium-api", "unix://" + AgentSimulator.SocketPath, "--state-dir", "/var/lib/cilium-docker-e2e"],
                Path.Combine(E2EEnvironment.Logs, "legacy-plugin.log"));
            if (!Eventually.Until(() => File.Exists(Socket), TimeSpan.FromSeconds(10)))
            {
                throw new InvalidOperationException($"the legacy plugin did not create {Socket} within 10 s:\n" + _process.ReadLog());
            }
        }

        private void Stop()
        {
            _process?.Dispose();
            _process = null;
            Assert.That(File.Exists(Socket), Is.False, "SIGTERM removes the legacy plugin's socket");
        }

        public override string ToString() => "legacy cilium";
    }
}
