using System.Collections.Frozen;
using System.Text.Json.Serialization.Metadata;

namespace CiliumDocker.Protocol;

/// <summary>
/// The plugin's HTTP surface: every call Docker makes, exactly as it makes it, plus health and metrics. Every path is
/// fixed, so a dictionary finds the call: ASP.NET Core routing would add a matcher built on the first request (part
/// of the start-up Docker waits for) and a request-services scope per call, and buys nothing here.
/// </summary>
internal static class PluginRoutes
{
    public static readonly IReadOnlyList<string> Implements = ["NetworkDriver", "IpamDriver"];

    /// <summary>The whole request pipeline: a known path goes to its call, any other to a 404 in Docker's error shape.
    /// Paths match as ASP.NET Core routing matched them: case-insensitively, with or without one trailing slash.</summary>
    public static RequestDelegate Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var dispatcher = services.GetRequiredService<PluginCallDispatcher>();
        var routes = new Routes(services, dispatcher, new Dictionary<string, RequestDelegate>(StringComparer.OrdinalIgnoreCase));
        AddRoutes(routes);
        var table = routes.Table.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        return context =>
        {
            var path = context.Request.Path.Value ?? string.Empty;
            if (path.Length > 1 && path[^1] == '/')
            {
                path = path[..^1];
            }

            return table.TryGetValue(path, out var route) ? route(context) : dispatcher.NotFoundAsync(context);
        };
    }

    private static void AddRoutes(Routes routes)
    {
        var json = DockerJsonContext.Default;

        // Docker sends these four with an empty body; whatever arrives is ignored.
        routes.MapCall("Plugin.Activate", json.ActivateResponse, static _ => new ActivateResponse { Implements = Implements });
        routes.MapCall("NetworkDriver.GetCapabilities", json.NetworkCapabilitiesResponse, static _ => NetworkDriver.GetCapabilities());
        routes.MapCall("IpamDriver.GetCapabilities", json.IpamCapabilitiesResponse, static _ => IpamDriver.GetCapabilities());
        routes.MapCall("IpamDriver.GetDefaultAddressSpaces", json.AddressSpacesResponse, static _ => IpamDriver.GetDefaultAddressSpaces());

        routes.MapCall("NetworkDriver.CreateNetwork", json.CreateNetworkRequest, json.EmptyResponse, static (s, r, _) => Task.FromResult(s.GetRequiredService<NetworkDriver>().CreateNetwork(r)));
        routes.MapCall("NetworkDriver.DeleteNetwork", json.NetworkRequest, json.EmptyResponse, static (s, r, _) => Task.FromResult(s.GetRequiredService<NetworkDriver>().DeleteNetwork(r)));
        routes.MapCall("NetworkDriver.CreateEndpoint", json.CreateEndpointRequest, json.CreateEndpointResponse, static (s, r, ct) => s.GetRequiredService<NetworkDriver>().CreateEndpointAsync(r, ct));
        routes.MapCall("NetworkDriver.DeleteEndpoint", json.EndpointRequest, json.EmptyResponse, static (s, r, ct) => s.GetRequiredService<NetworkDriver>().DeleteEndpointAsync(r, ct));
        routes.MapCall("NetworkDriver.EndpointOperInfo", json.EndpointRequest, json.EndpointOperInfoResponse, static (_, r, _) => Task.FromResult(NetworkDriver.EndpointOperInfo(r)));
        routes.MapCall("NetworkDriver.Join", json.JoinRequest, json.JoinResponse, static (s, r, ct) => s.GetRequiredService<NetworkDriver>().JoinAsync(r, ct));
        routes.MapCall("NetworkDriver.Leave", json.EndpointRequest, json.EmptyResponse, static (s, r, ct) => s.GetRequiredService<NetworkDriver>().LeaveAsync(r, ct));
        routes.MapCall("NetworkDriver.ProgramExternalConnectivity", json.EndpointRequest, json.EmptyResponse, static (s, r, ct) => s.GetRequiredService<NetworkDriver>().ProgramExternalConnectivityAsync(r, ct));
        routes.MapCall("NetworkDriver.RevokeExternalConnectivity", json.EndpointRequest, json.EmptyResponse, static (s, r, ct) => s.GetRequiredService<NetworkDriver>().RevokeExternalConnectivityAsync(r, ct));
        routes.MapCall("NetworkDriver.DiscoverNew", json.DiscoveryRequest, json.EmptyResponse, static (_, r, _) => Task.FromResult(NetworkDriver.Discover(r)));
        routes.MapCall("NetworkDriver.DiscoverDelete", json.DiscoveryRequest, json.EmptyResponse, static (_, r, _) => Task.FromResult(NetworkDriver.Discover(r)));
        routes.MapCall("NetworkDriver.AllocateNetwork", json.NetworkRequest, json.EmptyResponse, static (_, r, _) => Task.FromResult(NetworkDriver.AllocateNetwork(r)));
        routes.MapCall("NetworkDriver.FreeNetwork", json.NetworkRequest, json.EmptyResponse, static (_, r, _) => Task.FromResult(NetworkDriver.FreeNetwork(r)));

        routes.MapCall("IpamDriver.RequestPool", json.RequestPoolRequest, json.RequestPoolResponse, static (s, r, ct) => s.GetRequiredService<IpamDriver>().RequestPoolAsync(r, ct));
        routes.MapCall("IpamDriver.ReleasePool", json.ReleasePoolRequest, json.EmptyResponse, static (_, r, _) => Task.FromResult(IpamDriver.ReleasePool(r)));
        routes.MapCall("IpamDriver.RequestAddress", json.RequestAddressRequest, json.RequestAddressResponse, static (s, r, ct) => s.GetRequiredService<IpamDriver>().RequestAddressAsync(r, ct));
        routes.MapCall("IpamDriver.ReleaseAddress", json.ReleaseAddressRequest, json.EmptyResponse, static (s, r, ct) => s.GetRequiredService<IpamDriver>().ReleaseAddressAsync(r, ct));

        routes.MapGetCall(HealthEndpoint.Path, static (s, context) => s.GetRequiredService<HealthEndpoint>().WriteAsync(context.Response));
        routes.MapGetCall(MetricsEndpoint.Path, static (s, context) => s.GetRequiredService<MetricsEndpoint>().WriteAsync(context.Response));
    }

    private static void MapCall<TResponse>(this Routes routes, string call, JsonTypeInfo<TResponse> responseInfo, Func<IServiceProvider, TResponse> handle)
        => routes.Table.Add("/" + call, context => routes.Dispatcher.DispatchAsync(
            context,
            call,
            HttpMethods.Post,
            (ctx, _) => PluginCallDispatcher.WriteJsonAsync(ctx.Response, handle(routes.Services), responseInfo)));

    private static void MapCall<TRequest, TResponse>(
        this Routes routes,
        string call,
        JsonTypeInfo<TRequest> requestInfo,
        JsonTypeInfo<TResponse> responseInfo,
        Func<IServiceProvider, TRequest, CancellationToken, Task<TResponse>> handle)
        where TRequest : class
        => routes.Table.Add("/" + call, context => routes.Dispatcher.DispatchAsync(
            context,
            call,
            HttpMethods.Post,
            async (ctx, cancellationToken) =>
            {
                var request = await PluginRequestBody.ReadAsync(ctx.Request, requestInfo, call, cancellationToken);
                var response = await handle(routes.Services, request, cancellationToken);
                await PluginCallDispatcher.WriteJsonAsync(ctx.Response, response, responseInfo);
            }));

    private static void MapGetCall(this Routes routes, string path, Func<IServiceProvider, HttpContext, Task> respond)
        => routes.Table.Add(path, context => routes.Dispatcher.DispatchAsync(context, path.TrimStart('/'), HttpMethods.Get, (ctx, _) => respond(routes.Services, ctx)));

    /// <summary>The table being filled, and what its calls are served with: the root provider (every service is a
    /// singleton) and the one dispatcher.</summary>
    private sealed record Routes(IServiceProvider Services, PluginCallDispatcher Dispatcher, Dictionary<string, RequestDelegate> Table);
}
