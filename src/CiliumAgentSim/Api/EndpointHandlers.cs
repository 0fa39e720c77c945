using CiliumAgentSim.Datapath;
using CiliumAgentSim.Hosting;
using CiliumAgentSim.Model;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Api;

/// <summary><c>GET /v1/endpoint</c> and <c>GET/PUT/PATCH/DELETE /v1/endpoint/{id}</c>.</summary>
internal sealed class EndpointHandlers(SimOptions options, StateHolder state, IEndpointDatapath datapath, ILogger logger)
{
    public Task ListAsync(HttpContext context) =>
        AgentResponses.WriteJsonAsync(context, 200, state.Current.List(), SimJson.Wire.IReadOnlyListAgentEndpoint);

    public Task GetAsync(HttpContext context) =>
        TryParseId(context, out var id, out var error)
            ? AgentResponses.WriteAsync(context, state.Current.Get(id), SimJson.Wire.AgentEndpoint)
            : AgentResponses.WriteErrorAsync(context, 400, error);

    /// <summary>
    /// Creates the endpoint (the agent picks the numeric id, whatever the path says), builds its datapath, then
    /// stops the expiration timers its addressing names. A failure after the insert removes the endpoint again.
    /// </summary>
    public async Task PutAsync(HttpContext context)
    {
        if (!TryParseId(context, out _, out var idError))
        {
            await AgentResponses.WriteErrorAsync(context, 400, idError);
            return;
        }

        var (request, bodyError) = await RequestBody.ReadAsync(context, "endpoint", SimJson.Wire.EndpointChangeRequest);
        if (request is null)
        {
            await AgentResponses.WriteErrorAsync(context, 400, bodyError);
            return;
        }

        if (AgentState.ValidateState(request) is { } invalidState)
        {
            await AgentResponses.WriteValidationErrorAsync(context, invalidState.Code, invalidState.Message);
            return;
        }

        var current = state.Current;
        var begun = current.BeginCreate(request);
        if (!begun.Succeeded)
        {
            await AgentResponses.WriteErrorAsync(context, begun.Status, begun.Error);
            return;
        }

        var record = begun.Value!;
        var route = record.InterfaceName is { } name ? new DatapathEndpoint(name, record.IPv4, record.IPv6) : null;
        if (route is not null)
        {
            try
            {
                // Not the request's token: a client that gives up must not leave half a datapath behind.
                await datapath.AttachAsync(route, CancellationToken.None);
            }
            catch (DatapathException ex)
            {
                current.Remove(record.Id);
                await DetachQuietlyAsync(route);
                await AgentResponses.WriteErrorAsync(context, 500, $"unable to build datapath of endpoint {record.Id}: {ex.Message}");
                return;
            }
        }

        var completed = current.CompleteCreate(record.Id, request.Addressing);
        if (!completed.Succeeded && route is not null)
        {
            await DetachQuietlyAsync(route);
        }

        // 1.10 answers 201 without a body; later agents answer the endpoint they made.
        await AgentResponses.WriteAsync(context, completed, options.AnswersEndpointOnPut ? SimJson.Wire.AgentEndpoint : null);
    }

    public async Task PatchAsync(HttpContext context)
    {
        if (!TryParseId(context, out var id, out var idError))
        {
            await AgentResponses.WriteErrorAsync(context, 400, idError);
            return;
        }

        var (request, bodyError) = await RequestBody.ReadAsync(context, "endpoint", SimJson.Wire.EndpointChangeRequest);
        if (request is null)
        {
            await AgentResponses.WriteErrorAsync(context, 400, bodyError);
            return;
        }

        if (AgentState.ValidateState(request) is { } invalidState)
        {
            await AgentResponses.WriteValidationErrorAsync(context, invalidState.Code, invalidState.Message);
            return;
        }

        await AgentResponses.WriteAsync(context, state.Current.Patch(id, request), null);
    }

    public async Task DeleteAsync(HttpContext context)
    {
        if (!TryParseId(context, out var id, out var idError))
        {
            await AgentResponses.WriteErrorAsync(context, 400, idError);
            return;
        }

        var deleted = state.Current.Delete(id);
        if (deleted.Value is { InterfaceName: { } name } record)
        {
            await DetachQuietlyAsync(new DatapathEndpoint(name, record.IPv4, record.IPv6));
        }

        await AgentResponses.WriteAsync(context, deleted, null);
    }

    /// <summary>Clients path-escape the id (<c>pod-name:ns%2Fpod</c>); routing leaves <c>%2F</c> encoded.</summary>
    private static bool TryParseId(HttpContext context, out EndpointId id, out string error) =>
        EndpointId.TryParse(Uri.UnescapeDataString(context.Request.RouteValues["id"] as string ?? ""), out id, out error);

    private async Task DetachQuietlyAsync(DatapathEndpoint route)
    {
        try
        {
            await datapath.DetachAsync(route, CancellationToken.None);
        }
        catch (DatapathException ex)
        {
            SimLog.DetachFailed(logger, route.InterfaceName, ex.Message);
        }
    }
}
