using System.Net;
using CiliumDocker.Agent;
using CiliumDocker.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CiliumDocker.Tests.TestDoubles;

/// <summary>
/// A scriptable Cilium agent: Kestrel on a temporary Unix socket (or loopback TCP) that records every request and
/// answers from a queue of scripted responses, then with <see cref="DefaultResponse"/>.
/// </summary>
internal sealed class FakeAgentServer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Queue<FakeAgentResponse> _script = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _requestArrived = NewSignal();
    private WebApplication? _app;

    private FakeAgentServer(SocketEndpoint endpoint) => Endpoint = endpoint;

    public SocketEndpoint Endpoint { get; private set; }

    /// <summary>Answer once the script is used up. Defaults to 404 with no body.</summary>
    public FakeAgentResponse DefaultResponse { get; set; } = FakeAgentResponse.Empty(404);

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

    /// <summary>A short socket path that does not exist yet (sockaddr_un holds at most 107 characters).</summary>
    public static string NewSocketPath() => $"/tmp/fa-{Guid.NewGuid():N}"[..20] + ".sock";

    public static Task<FakeAgentServer> StartUnixAsync(string? socketPath = null) =>
        StartAsync(SocketEndpoint.UnixSocket(socketPath ?? NewSocketPath()));

    public static Task<FakeAgentServer> StartTcpAsync() => StartAsync(SocketEndpoint.Tcp("127.0.0.1", 1));

    /// <summary>Queues answers for the next requests, in order.</summary>
    public void Enqueue(params FakeAgentResponse[] responses)
    {
        lock (_gate)
        {
            foreach (var response in responses)
            {
                _script.Enqueue(response);
            }
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> requests have arrived; returns the count-th.</summary>
    public async Task<RecordedRequest> WaitForRequestAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                if (_requests.Count >= count)
                {
                    return _requests[count - 1];
                }

                arrived = _requestArrived.Task;
            }

            await arrived.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (Endpoint.SocketPath is { } path)
        {
            File.Delete(path);
        }

        _stopping.Dispose();
    }

    private static async Task<FakeAgentServer> StartAsync(SocketEndpoint endpoint)
    {
        var server = new FakeAgentServer(endpoint);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            if (endpoint.SocketPath is { } path)
            {
                options.ListenUnixSocket(path);
            }
            else
            {
                options.Listen(IPAddress.Loopback, 0);
            }
        });
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));

        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server._app = app;

        if (!endpoint.IsUnixSocket)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            server.Endpoint = SocketEndpoint.Tcp("127.0.0.1", new Uri(address).Port);
        }

        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var recorded = new RecordedRequest(
            request.Method,
            request.Path.Value ?? string.Empty,
            context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
            request.QueryString.Value ?? string.Empty,
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body);

        FakeAgentResponse response;
        lock (_gate)
        {
            _requests.Add(recorded);
            response = _script.TryDequeue(out var scripted) ? scripted : DefaultResponse;
            var arrived = _requestArrived;
            _requestArrived = NewSignal();
            arrived.SetResult();
        }

        await response.WriteAsync(context, _stopping.Token);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal sealed record RecordedRequest(
    string Method,
    string Path,
    string RawTarget,
    string QueryString,
    IReadOnlyDictionary<string, string> Headers,
    string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>One scripted answer of <see cref="FakeAgentServer"/>.</summary>
internal sealed class FakeAgentResponse
{
    private readonly Func<HttpContext, CancellationToken, Task> _write;

    private FakeAgentResponse(string description, Func<HttpContext, CancellationToken, Task> write)
    {
        Description = description;
        _write = write;
    }

    public string Description { get; }

    /// <summary>A JSON body, as the agent's API layer writes it.</summary>
    public static FakeAgentResponse Json(int status, string json) => new($"{status} {json}", async (context, stopping) =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, stopping);
    });

    /// <summary>The agent's <c>Error</c> model: a JSON string.</summary>
    public static FakeAgentResponse Error(int status, string message) =>
        Json(status, System.Text.Json.JsonSerializer.Serialize(message, CiliumJsonContext.Default.String));

    public static FakeAgentResponse Empty(int status) => new($"{status} (empty)", (context, _) =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    });

    public static FakeAgentResponse Text(int status, string text) => new($"{status} {text}", async (context, stopping) =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(text, stopping);
    });

    /// <summary>Never answers: holds the request until the client gives up or the server stops.</summary>
    public static FakeAgentResponse Hang() => new("hang", async (context, stopping) =>
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
    });

    /// <summary>Drops the connection without an answer, as a crashing agent would.</summary>
    public static FakeAgentResponse CloseConnection() => new("close", (context, _) =>
    {
        context.Abort();
        return Task.CompletedTask;
    });

    public Task WriteAsync(HttpContext context, CancellationToken stopping) => _write(context, stopping);

    public override string ToString() => Description;
}
