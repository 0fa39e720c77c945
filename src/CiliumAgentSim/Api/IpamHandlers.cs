using CiliumAgentSim.Model;
using CiliumAgentSim.State;

namespace CiliumAgentSim.Api;

/// <summary><c>POST /v1/ipam</c>, <c>POST /v1/ipam/{ip}</c>, <c>DELETE /v1/ipam/{ip}</c>.</summary>
internal sealed class IpamHandlers(StateHolder state)
{
    /// <summary>go-openapi's code for a value outside a parameter's enum.</summary>
    private const int EnumFailCode = 606;

    public Task AllocateNextAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!TryParseFamily(query["family"], out var family))
        {
            return AgentResponses.WriteValidationErrorAsync(context, EnumFailCode, "family in query should be one of [ipv4 ipv6]");
        }

        var expiration = bool.TryParse(context.Request.Headers["expiration"], out var e) && e;
        var result = state.Current.AllocateNext(family, query["owner"].ToString(), query["pool"], expiration);
        return AgentResponses.WriteAsync(context, result, SimJson.Wire.IpamResponse);
    }

    public Task AllocateAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var result = state.Current.Allocate(IpOf(context), query["owner"].ToString(), query["pool"]);
        return AgentResponses.WriteAsync(context, result, null);
    }

    public Task ReleaseAsync(HttpContext context) =>
        AgentResponses.WriteAsync(context, state.Current.Release(IpOf(context), context.Request.Query["pool"]), null);

    /// <summary>The enum check is case-sensitive (go-swagger validates before the agent lower-cases).</summary>
    private static bool TryParseFamily(string? text, out IpFamily? family)
    {
        family = text switch
        {
            "ipv4" => IpFamily.IPv4,
            "ipv6" => IpFamily.IPv6,
            _ => null,
        };
        return family is not null || string.IsNullOrEmpty(text);
    }

    private static string IpOf(HttpContext context) => context.Request.RouteValues["ip"] as string ?? "";
}
