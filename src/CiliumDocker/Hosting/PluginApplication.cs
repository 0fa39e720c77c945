using CiliumDocker.Observability;
using CiliumDocker.Protocol;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CiliumDocker.Hosting;

/// <summary>
/// Builds the plugin host. The empty builder adds no configuration files and so no file watchers (with the slim
/// builder and a working directory of /, reload-on-change would watch the whole filesystem).
/// </summary>
internal static class PluginApplication
{
    /// <summary>Docker's largest requests are well under 1 KiB; anything near this is not Docker.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>Docker waits 10 s after SIGTERM before SIGKILL.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    /// <param name="options">What the command line decided.</param>
    /// <param name="replaceServices">Registers doubles before the plugin's own services (tests); null in production.</param>
    public static WebApplication Build(PluginOptions options, Action<IServiceCollection>? replaceServices = null)
    {
        ArgumentNullException.ThrowIfNull(options);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = PluginSocket.BindWithOwnerOnlyMode);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.ListenUnixSocket(options.SocketPath, listen => listen.Protocols = HttpProtocols.Http1);
        });

        builder.Logging.Services.AddSingleton<ILoggerProvider>(new LineLoggerProvider(Console.Out, TimeProvider.System));
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", options.LogLevel <= LogLevel.Debug ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", options.LogLevel <= LogLevel.Information ? LogLevel.Information : options.LogLevel);

        var services = builder.Services;
        services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        replaceServices?.Invoke(services);
        services.AddCiliumDockerPlugin(options);

        var app = builder.Build();
        app.UsePluginRoutes();
        return app;
    }
}
