using System.Text.Json;
using CiliumDocker.Agent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>
/// A stateful Cilium agent on a Unix socket: the agent API subset (cilium-docker-behaviour.md §4) served from an
/// <see cref="AgentModel"/>, so allocations, expiration UUIDs and endpoints behave like the agent's. It can be down
/// at start, stop and come back (restart, losing endpoints or not), fail requests with scripted answers, and answer
/// slowly.
/// </summary>
internal sealed class SimulatedAgentServer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<(string Method, string PathPrefix, FakeAgentResponse Response)> _faults = [];
    private WebApplication? _app;

    public SimulatedAgentServer(string? socketPath = null)
    {
        SocketPath = socketPath ?? $"/tmp/sa-{Guid.NewGuid():N}"[..20] + ".sock";
    }

    public string SocketPath { get; }

    public string Uri => "unix://" + SocketPath;

    public AgentModel Model { get; } = new(TimeProvider.System);

    /// <summary>Added before every answer: a slow agent.</summary>
    public TimeSpan Delay { get; set; }

    public bool IsRunning => _app is not null;

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<SimulatedAgentServer> StartAsync(DaemonConfigurationStatus? config = null)
    {
        var server = new SimulatedAgentServer();
        server.Model.Config = config ?? AgentConfigs.IPv4Only();
        await server.StartAsync();
        return server;
    }

    /// <summary>The next request whose method matches and whose path starts with <paramref name="pathPrefix"/> gets this answer.</summary>
    public void FailNext(string method, string pathPrefix, FakeAgentResponse response)
    {
        lock (_gate)
        {
            _faults.Add((method, pathPrefix, response));
        }
    }

    public async Task StartAsync()
    {
        if (_app is not null)
        {
            return;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options => options.ListenUnixSocket(SocketPath));
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(1));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        _app = app;
    }

    /// <summary>The agent goes away: its socket stops answering.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
            File.Delete(SocketPath);
        }
    }

    /// <summary>An agent restart: endpoints restored from disk unless <paramref name="loseEndpoints"/>; unclaimed
    /// allocations are gone.</summary>
    public async Task RestartAsync(bool loseEndpoints)
    {
        await StopAsync();
        Model.Restart(loseEndpoints);
        await StartAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var path = request.Path.Value ?? string.Empty;
        FakeAgentResponse? fault;
        lock (_gate)
        {
            _requests.Add(new RecordedRequest(
                request.Method,
                path,
                context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
                request.QueryString.Value ?? string.Empty,
                request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body));
            var index = _faults.FindIndex(f => f.Method == request.Method && path.StartsWith(f.PathPrefix, StringComparison.Ordinal));
            fault = index < 0 ? null : _faults[index].Response;
            if (index >= 0)
            {
                _faults.RemoveAt(index);
            }
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        if (fault is not null)
        {
            await fault.WriteAsync(context, context.RequestAborted);
            return;
        }

        try
        {
            await AnswerAsync(context, request.Method, path, body);
        }
        catch (AgentModelException ex)
        {
            await WriteAsync(context, ex.Status, string.IsNullOrEmpty(ex.Message) ? null : JsonSerializer.Serialize(ex.Message, CiliumJsonContext.Default.String));
        }
    }

    private Task AnswerAsync(HttpContext context, string method, string path, string body)
    {
        var json = CiliumJsonContext.Default;
        const string ipamPrefix = "/v1/ipam/";
        const string endpointPrefix = "/v1/endpoint/";
        switch (method)
        {
            case "GET" when path == "/v1/config":
                return WriteAsync(context, 200, JsonSerializer.Serialize(new DaemonConfiguration { Status = Model.Config }, json.DaemonConfiguration));
            case "POST" when path == "/v1/ipam":
                var family = context.Request.Query["family"].ToString() == "ipv6" ? IpFamily.IPv6 : IpFamily.IPv4;
                var expiration = string.Equals(context.Request.Headers["expiration"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
                var allocation = Model.AllocateNext(family, context.Request.Query["owner"].ToString(), expiration);
                return WriteAsync(context, 201, JsonSerializer.Serialize(allocation, json.IpamResponse));
            case "POST" when path.StartsWith(ipamPrefix, StringComparison.Ordinal):
                Model.Allocate(path[ipamPrefix.Length..], context.Request.Query["owner"].ToString());
                return WriteAsync(context, 200, null);
            case "DELETE" when path.StartsWith(ipamPrefix, StringComparison.Ordinal):
                return WriteAsync(context, Model.Release(path[ipamPrefix.Length..]) ? 200 : 404, null);
            case "PUT" when path.StartsWith(endpointPrefix, StringComparison.Ordinal):
                var change = JsonSerializer.Deserialize(body, json.EndpointChangeRequest) ?? throw new AgentModelException(400, "no endpoint in the body");
                return WriteAsync(context, 201, JsonSerializer.Serialize(Model.CreateEndpoint(change), json.CiliumEndpoint));
            case "GET" when path.StartsWith(endpointPrefix, StringComparison.Ordinal):
                var endpoint = Model.GetEndpoint(path[endpointPrefix.Length..]);
                return endpoint is null ? WriteAsync(context, 404, null) : WriteAsync(context, 200, JsonSerializer.Serialize(endpoint, json.CiliumEndpoint));
            case "PATCH" when path.StartsWith(endpointPrefix, StringComparison.Ordinal):
                return WriteAsync(context, Model.PatchEndpoint(path[endpointPrefix.Length..]) ? 200 : 404, null);
            case "DELETE" when path.StartsWith(endpointPrefix, StringComparison.Ordinal):
                return WriteAsync(context, Model.DeleteEndpoint(path[endpointPrefix.Length..]) ? 200 : 404, null);
            case "GET" when path == "/v1/endpoint":
                return WriteAsync(context, 200, JsonSerializer.Serialize([.. Model.Endpoints.Select(e => e.ToApi())], json.ListCiliumEndpoint));
            default:
                return WriteAsync(context, 404, null);
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string? json)
    {
        context.Response.StatusCode = status;
        if (json is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json, context.RequestAborted);
        }
    }
}
