using CiliumAgentSim.Api;
using CiliumAgentSim.Hosting;
using CiliumAgentSim.Model;

namespace CiliumAgentSim.Control;

/// <summary>
/// The test-control API on its own socket (never part of the agent API): state dump, fault switches, restarts.
/// </summary>
internal static class ControlApi
{
    public static void Map(WebApplication app, AgentSimulator simulator)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(simulator);

        app.MapGet("/state", context =>
            AgentResponses.WriteJsonAsync(context, 200, simulator.Dump(), SimJson.Wire.StateDump));

        app.MapGet("/faults", context =>
            AgentResponses.WriteJsonAsync(context, 200, simulator.Faults.Status(), SimJson.Wire.FaultStatus));

        app.MapPost("/faults", async context =>
        {
            var (request, error) = await RequestBody.ReadAsync(context, "faults", SimJson.Wire.FaultRequest);
            error ??= request is null ? "faults in body is required" : simulator.Faults.Apply(request);
            if (error is not null)
            {
                await WriteErrorAsync(context, error);
                return;
            }

            await AgentResponses.WriteJsonAsync(context, 200, simulator.Faults.Status(), SimJson.Wire.FaultStatus);
        });

        app.MapPost("/faults/clear", context =>
        {
            simulator.Faults.Clear();
            return AgentResponses.WriteJsonAsync(context, 200, simulator.Faults.Status(), SimJson.Wire.FaultStatus);
        });

        app.MapPost("/restart", async context =>
        {
            var (body, error) = await RequestBody.ReadAsync(context, "restart", SimJson.Wire.RestartRequest, allowEmpty: true);
            var request = body ?? new RestartRequest();
            error ??= request.DownMs < 0 ? "downMs must not be negative" : null;
            if (error is not null)
            {
                await WriteErrorAsync(context, error);
                return;
            }

            await simulator.RestartAsync(request.KeepState, TimeSpan.FromMilliseconds(request.DownMs));
            await AgentResponses.WriteJsonAsync(context, 202, request, SimJson.Wire.RestartRequest);
        });
    }

    private static Task WriteErrorAsync(HttpContext context, string message) =>
        AgentResponses.WriteJsonAsync(context, 400, new ControlError { Error = message }, SimJson.Wire.ControlError);
}
