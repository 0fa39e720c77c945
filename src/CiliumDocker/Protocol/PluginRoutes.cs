using System.Text.Json.Serialization.Metadata;

namespace CiliumDocker.Protocol;

/// <summary>The plugin's HTTP surface: every call Docker makes, exactly as it makes it, plus health and metrics.</summary>
internal static class PluginRoutes
{
    public static readonly IReadOnlyList<string> Implements = ["NetworkDriver", "IpamDriver"];

    public static IEndpointRouteBuilder MapPluginRoutes(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
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

        routes.MapGetCall(HealthEndpoint.Path, static (context, _) => context.RequestServices.GetRequiredService<HealthEndpoint>().WriteAsync(context.Response));
        routes.MapGetCall(MetricsEndpoint.Path, static (context, _) => context.RequestServices.GetRequiredService<MetricsEndpoint>().WriteAsync(context.Response));

        // The default fallback pattern skips paths that look like files ("/X.Y"), which every plugin path does.
        routes.MapFallback("{*path}", static context => context.RequestServices.GetRequiredService<PluginCallDispatcher>().NotFoundAsync(context));
        return routes;
    }

    private static void MapCall<TResponse>(this IEndpointRouteBuilder routes, string call, JsonTypeInfo<TResponse> responseInfo, Func<IServiceProvider, TResponse> handle)
        => routes.Map("/" + call, context => Dispatcher(context).DispatchAsync(
            context,
            call,
            HttpMethods.Post,
            (ctx, _) => PluginCallDispatcher.WriteJsonAsync(ctx.Response, handle(ctx.RequestServices), responseInfo)));

    private static void MapCall<TRequest, TResponse>(
        this IEndpointRouteBuilder routes,
        string call,
        JsonTypeInfo<TRequest> requestInfo,
        JsonTypeInfo<TResponse> responseInfo,
        Func<IServiceProvider, TRequest, CancellationToken, Task<TResponse>> handle)
        where TRequest : class
        => routes.Map("/" + call, context => Dispatcher(context).DispatchAsync(
            context,
            call,
            HttpMethods.Post,
            async (ctx, cancellationToken) =>
            {
                var request = await PluginRequestBody.ReadAsync(ctx.Request, requestInfo, call, cancellationToken);
                var response = await handle(ctx.RequestServices, request, cancellationToken);
                await PluginCallDispatcher.WriteJsonAsync(ctx.Response, response, responseInfo);
            }));

    private static void MapGetCall(this IEndpointRouteBuilder routes, string path, Func<HttpContext, CancellationToken, Task> respond)
        => routes.Map(path, context => Dispatcher(context).DispatchAsync(context, path.TrimStart('/'), HttpMethods.Get, respond));

    private static PluginCallDispatcher Dispatcher(HttpContext context) => context.RequestServices.GetRequiredService<PluginCallDispatcher>();
}
