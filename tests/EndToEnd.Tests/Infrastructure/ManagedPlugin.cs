namespace EndToEnd.Tests.Infrastructure;

internal static class ManagedPlugin
{
    /// <summary><c>docker plugin create NAME plugin/</c> and <c>docker plugin enable NAME</c>.</summary>
    public static string CreateEnabled(Cleanup cleanup, string name)
    {
        cleanup.Plugin(name);
        Docker.MustRun("plugin", "create", name, E2EEnvironment.PluginBundle);
        Docker.MustRun("plugin", "enable", name);
        return name;
    }

    /// <summary>The plugin process's PID on the host, from runc's state of the plugin container.</summary>
    public static int Pid(string name)
    {
        var id = Docker.MustRun("plugin", "inspect", "-f", "{{.Id}}", name);
        var state = Shell.MustRun("runc", "--root", Path.Combine(DockerDaemon.ExecRoot, "runtime-runc", "plugins.moby"), "state", id).Output;
        using var document = System.Text.Json.JsonDocument.Parse(state);
        return document.RootElement.GetProperty("pid").GetInt32();
    }

    /// <summary>The plugin's PID, or null while Docker has no running process for it.</summary>
    public static int? TryPid(string name)
    {
        try
        {
            return Pid(name);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
