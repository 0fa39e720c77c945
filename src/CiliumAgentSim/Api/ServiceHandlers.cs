using System.Net;
using CiliumAgentSim.Datapath;
using CiliumAgentSim.Hosting;
using CiliumAgentSim.Model;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Api;

/// <summary><c>GET /v1/service</c> and <c>GET/PUT/DELETE /v1/service/{id}</c>, as the 1.10 agent answers them.</summary>
internal sealed class ServiceHandlers(StateHolder state, IServiceDatapath datapath, ILogger logger)
{
    /// <summary>What the agent's API server answers when a handler panics (it recovers and logs).</summary>
    public const string PanicText = "Internal error occurred, check Cilium logs for details.";

    public Task ListAsync(HttpContext context) =>
        AgentResponses.WriteJsonAsync(context, 200, state.Current.ListServices(), SimJson.Wire.IReadOnlyListService);

    public Task GetAsync(HttpContext context)
    {
        if (!ServiceValidation.TryParseId(IdOf(context), out var id, out var error))
        {
            return AgentResponses.WriteValidationErrorAsync(context, ServiceValidation.IdErrorCode, error);
        }

        return state.Current.GetService(id) is { } service
            ? AgentResponses.WriteJsonAsync(context, 200, service, SimJson.Wire.Service)
            : AgentResponses.WriteErrorAsync(context, 404, null);
    }

    public async Task PutAsync(HttpContext context)
    {
        var (spec, parseError) = await RequestBody.ReadSwaggerAsync(context, "config", SimJson.Wire.ServiceSpec);
        if (parseError is { } bad)
        {
            await AgentResponses.WriteJsonAsync(context, bad.Status, new SwaggerError { Code = bad.Code, Message = bad.Message }, SimJson.Wire.SwaggerError);
            return;
        }

        if (ServiceValidation.OutOfRange(spec!) is { } decodeError)
        {
            await AgentResponses.WriteJsonAsync(context, 400, RequestBody.ParseError("config", decodeError), SimJson.Wire.SwaggerError);
            return;
        }

        // The path id is bound after the body, and then ignored: the body's id is the service's id.
        if (ServiceValidation.Validate(spec!) is { } invalid)
        {
            await AgentResponses.WriteValidationErrorAsync(context, invalid.Code, invalid.Message);
            return;
        }

        if (!ServiceValidation.TryParseId(IdOf(context), out _, out var idError))
        {
            await AgentResponses.WriteValidationErrorAsync(context, ServiceValidation.IdErrorCode, idError);
            return;
        }

        var request = ServiceRequest.FromSpec(spec!);
        if (!request.Succeeded)
        {
            await WriteFailureAsync(context, request.Status, request.Error);
            return;
        }

        var (status, error) = await state.ServiceChanges.RunAsync(async () =>
        {
            var change = state.Current.UpsertService(request.Value!);
            var datapathError = change.Realized is { } realized ? await RealizeAsync(realized) : null;
            return change.Error is null && datapathError is not null ? (500, datapathError) : (change.Status, change.Error);
        });
        if (error is not null)
        {
            await AgentResponses.WriteErrorAsync(context, status, error);
            return;
        }

        context.Response.StatusCode = status;
    }

    public async Task DeleteAsync(HttpContext context)
    {
        if (!ServiceValidation.TryParseId(IdOf(context), out var id, out var error))
        {
            await AgentResponses.WriteValidationErrorAsync(context, ServiceValidation.IdErrorCode, error);
            return;
        }

        var deleted = await state.ServiceChanges.RunAsync(async () =>
        {
            var result = state.Current.DeleteService(id);
            if (result.Succeeded)
            {
                await RemoveQuietlyAsync(datapath, result.Value, logger);
            }

            return result;
        });
        await AgentResponses.WriteAsync(context, deleted, null);
    }

    /// <summary>The translation a service needs now: rules for a host-port type with backends, none otherwise.</summary>
    public static DatapathService? TranslationOf(ServiceRecord service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var family = service.Frontend.Ip.AddressFamily;
        List<IPEndPoint> backends =
        [
            .. service.Backends
                .Where(b => b.Ip.AddressFamily == family)
                .DistinctBy(b => b.Key)
                .Select(b => new IPEndPoint(b.Ip, b.Port == 0 ? service.Frontend.Port : b.Port)),
        ];
        return ServiceTypes.TranslatesHostTraffic(service.Type) && service.Frontend.Port != 0 && backends.Count > 0
            ? new DatapathService(service.Id, service.Frontend.Ip, service.Frontend.Port, backends)
            : null;
    }

    public static async Task RemoveQuietlyAsync(IServiceDatapath datapath, uint id, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(datapath);
        try
        {
            await datapath.RemoveAsync(id, CancellationToken.None);
        }
        catch (DatapathException ex)
        {
            SimLog.ServiceDatapathFailed(logger, id, ex.Message);
        }
    }

    private static string IdOf(HttpContext context) => context.Request.RouteValues["id"] as string ?? "";

    private static Task WriteFailureAsync(HttpContext context, int status, string? error)
    {
        if (status == 500 && error is null)
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(PanicText, context.RequestAborted);
        }

        return AgentResponses.WriteErrorAsync(context, status, error);
    }

    /// <summary>
    /// Not the request's token: a client that gives up must not leave half a rule set behind. A failure is answered
    /// like the agent's failed map write (500), with the service kept in the state as the agent keeps it.
    /// </summary>
    private async Task<string?> RealizeAsync(ServiceRecord service)
    {
        try
        {
            if (TranslationOf(service) is { } translation)
            {
                await datapath.ApplyAsync(translation, CancellationToken.None);
            }
            else
            {
                await datapath.RemoveAsync(service.Id, CancellationToken.None);
            }

            return null;
        }
        catch (DatapathException ex)
        {
            SimLog.ServiceDatapathFailed(logger, service.Id, ex.Message);
            return $"unable to program service {service.Id} into the datapath: {ex.Message}";
        }
    }
}
