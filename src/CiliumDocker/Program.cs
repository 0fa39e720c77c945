using System.Runtime.Versioning;
using CiliumDocker.Hosting;
using CiliumDocker.Infrastructure;

[assembly: SupportedOSPlatform("linux")]

var parsed = CommandLine.Parse(args, Environment.GetEnvironmentVariable);
switch (parsed.Action)
{
    case CommandLineAction.Help:
        Console.Out.WriteLine(CommandLine.Usage);
        return 0;
    case CommandLineAction.Version:
        Console.Out.WriteLine($"cilium-docker {PluginVersion.Current}");
        return 0;
    case CommandLineAction.Error:
        // One line that names the value; the usage would bury it in a plugin log.
        Console.Error.WriteLine($"cilium-docker: {parsed.ErrorMessage} (cilium-docker --help lists the flags and variables)");
        return 2;
}

var options = parsed.Options!;
var socketPath = options.SocketPath;

// The runtime reads its socket settings once, when the first socket polls: here, before any, the plugin's own
// defaults reach it.
if (options.InlineIo)
{
    Environment.SetEnvironmentVariable(CommandLine.InlineCompletionsVariable, "1");
}

if (options.EffectiveSocketThreads is { } socketThreads)
{
    Environment.SetEnvironmentVariable(CommandLine.SocketThreadsVariable, socketThreads.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

// The plugin creates network interfaces and writes under /run: without root it would fail later, call by call.
if (!Environment.IsPrivilegedProcess)
{
    Console.Error.WriteLine("Please run \"cilium-docker\" command(s) with root privileges.");
    return 1;
}

try
{
    Directory.CreateDirectory(options.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    PluginSocket.Prepare(socketPath);
}
catch (Exception ex) when (ex is PluginSocketInUseException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"cilium-docker: {ex.Message}");
    return 1;
}

PluginHost host;
try
{
    host = PluginHost.Build(options);
}
catch (FormatException ex)
{
    // An endpoint the command line let through but a component's stricter parser refuses.
    Console.Error.WriteLine($"cilium-docker: {ex.Message}");
    return 2;
}

await using (host)
{
    try
    {
        return await host.RunAsync() ? 0 : 1;
    }
    catch (IOException ex)
    {
        // Kestrel could not listen (permissions, a path that is not a socket): its log line has the details.
        Console.Error.WriteLine($"cilium-docker: cannot serve on {socketPath}: {ex.Message}");
        return 1;
    }
}
