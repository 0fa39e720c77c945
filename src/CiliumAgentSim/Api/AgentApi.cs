using CiliumAgentSim.Datapath;
using CiliumAgentSim.Faults;
using CiliumAgentSim.Hosting;
using CiliumAgentSim.Model;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Api;

/// <summary>The agent REST API subset under <c>/v1</c>, behind the fault injector.</summary>
internal static class AgentApi
{
    public static void Map(WebApplication app, SimOptions options, StateHolder state, FaultInjector faults, IEndpointDatapath datapath, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (options.Verbose)
        {
            app.Use(async (context, next) =>
            {
                await next(context);
                SimLog.Request(logger, context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", context.Response.StatusCode);
            });
        }

        app.Use(next => new FaultMiddleware(next, faults).InvokeAsync);

        var daemon = new DaemonHandlers(options, state);
        var ipam = new IpamHandlers(state);
        var endpoints = new EndpointHandlers(options, state, datapath, logger);
        var services = new ServiceHandlers(state, datapath.Services, logger);

        app.MapGet("/v1/healthz", daemon.GetHealthzAsync);
        app.MapGet("/v1/config", daemon.GetConfigAsync);
        app.MapPost("/v1/ipam", ipam.AllocateNextAsync);
        app.MapPost("/v1/ipam/{ip}", ipam.AllocateAsync);
        app.MapDelete("/v1/ipam/{ip}", ipam.ReleaseAsync);
        app.MapGet("/v1/endpoint", endpoints.ListAsync);
        app.MapGet("/v1/endpoint/{id}", endpoints.GetAsync);
        app.MapPut("/v1/endpoint/{id}", endpoints.PutAsync);
        app.MapPatch("/v1/endpoint/{id}", endpoints.PatchAsync);
        app.MapDelete("/v1/endpoint/{id}", endpoints.DeleteAsync);
        app.MapGet("/v1/service", services.ListAsync);
        app.MapGet("/v1/service/{id}", services.GetAsync);
        app.MapPut("/v1/service/{id}", services.PutAsync);
        app.MapDelete("/v1/service/{id}", services.DeleteAsync);
        app.MapFallback(NotFoundAsync);
    }

    /// <summary>go-swagger's router answer for a path it does not serve.</summary>
    private static Task NotFoundAsync(HttpContext context) =>
        AgentResponses.WriteJsonAsync(
            context,
            404,
            new SwaggerError { Code = 404, Message = $"path {context.Request.Path} was not found" },
            SimJson.Wire.SwaggerError);
}
