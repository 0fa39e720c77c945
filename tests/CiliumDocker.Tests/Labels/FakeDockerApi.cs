using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CiliumDocker.Tests.Labels;

/// <summary>
/// A scriptable Docker Engine API on a Unix socket: <c>/_ping</c>, <c>/version</c>, a streaming <c>/events</c>
/// whose lines the test pushes, container and image inspects, and the running-container list. JSON is written
/// by hand here, independently of the client's models, so the tests check the wire format.
/// </summary>
internal sealed partial class FakeDockerApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _containers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _images = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Channel<string?>, byte> _streams = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _eventSubscriptions;
    private int _disposed;

    private FakeDockerApi(string socketPath, WebApplication app)
    {
        SocketPath = socketPath;
        _app = app;
    }

    public string SocketPath { get; }

    /// <summary>What <c>/_ping</c> sends as <c>API-Version</c>; null sends no header (engines before API 1.25).</summary>
    public string? PingApiVersion { get; set; } = "1.41";

    /// <summary>What <c>/version</c> reports as <c>ApiVersion</c>.</summary>
    public string VersionApiVersion { get; set; } = "1.41";

    /// <summary>While set, <c>/_ping</c> does not answer until the task completes, like a dockerd still starting.</summary>
    public Task? PingGate { get; set; }

    /// <summary>Every request as "METHOD /path?query" exactly as sent (not unescaped), in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Fixed answers by versioned path (e.g. <c>/containers/json</c>), taking precedence over the normal ones.</summary>
    public ConcurrentDictionary<string, (int Status, string Body)> Overrides { get; } = new(StringComparer.Ordinal);

    public int EventSubscriptions => Volatile.Read(ref _eventSubscriptions);

    public int OpenEventStreams => _streams.Count;

    public static async Task<FakeDockerApi> StartAsync(string socketPath)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.ListenUnixSocket(socketPath));
        var app = builder.Build();
        var fake = new FakeDockerApi(socketPath, app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        return fake;
    }

    public static string NewSocketPath() => $"/tmp/{Guid.NewGuid():N}.sock";

    public static string ContainerJson(
        string id,
        string name,
        string imageId,
        IReadOnlyDictionary<string, string>? labels = null,
        IReadOnlyDictionary<string, string>? endpointsByNetwork = null)
    {
        var networks = new JsonObject();
        foreach (var (network, endpointId) in endpointsByNetwork ?? new Dictionary<string, string>())
        {
            networks[network] = new JsonObject { ["NetworkID"] = "net-" + network, ["EndpointID"] = endpointId, ["IPAddress"] = "10.0.0.2" };
        }

        return new JsonObject
        {
            ["Id"] = id,
            ["Created"] = "2026-11-28T10:00:00Z",
            ["Name"] = "/" + name,
            ["Image"] = imageId,
            ["State"] = new JsonObject { ["Status"] = "running", ["Running"] = true },
            ["Config"] = new JsonObject { ["Image"] = "busybox:latest", ["Labels"] = LabelsNode(labels) },
            ["NetworkSettings"] = new JsonObject { ["Networks"] = networks },
        }.ToJsonString();
    }

    public static string ImageJson(string imageId, IReadOnlyDictionary<string, string>? labels = null) =>
        new JsonObject { ["Id"] = imageId, ["Config"] = new JsonObject { ["Labels"] = LabelsNode(labels) } }.ToJsonString();

    /// <summary>A start event in the form Docker 20.10 writes it.</summary>
    public static string StartEvent(string containerId) =>
        new JsonObject
        {
            ["status"] = "start",
            ["id"] = containerId,
            ["from"] = "busybox:latest",
            ["Type"] = "container",
            ["Action"] = "start",
            ["Actor"] = new JsonObject { ["ID"] = containerId, ["Attributes"] = new JsonObject { ["image"] = "busybox:latest" } },
            ["scope"] = "local",
            ["time"] = 1764324000,
            ["timeNano"] = 1764324000000000000,
        }.ToJsonString();

    public void AddContainer(string id, string inspectJson, bool running = true)
    {
        _containers[id] = inspectJson;
        if (running)
        {
            _running[id] = 0;
        }
    }

    public void AddImage(string imageId, string inspectJson) => _images[imageId] = inspectJson;

    /// <summary>Sends one raw line (a newline is appended) to every open events stream.</summary>
    public void PushEventLine(string line)
    {
        foreach (var stream in _streams.Keys)
        {
            stream.Writer.TryWrite(line + "\n");
        }
    }

    /// <summary>Sends raw bytes with no newline added, e.g. half an event.</summary>
    public void PushEventText(string text)
    {
        foreach (var stream in _streams.Keys)
        {
            stream.Writer.TryWrite(text);
        }
    }

    /// <summary>Ends every open events stream: cleanly, or by dropping the connection.</summary>
    public void EndEventStreams(bool abort)
    {
        foreach (var stream in _streams.Keys)
        {
            if (abort)
            {
                stream.Writer.TryComplete(new IOException("connection dropped by the test"));
            }
            else
            {
                stream.Writer.TryWrite(null);
            }
        }
    }

    /// <summary>Stops serving and removes the socket, like a daemon shutting down. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        File.Delete(SocketPath);
    }

    [GeneratedRegex(@"^/v(?<version>\d+\.\d+)(?<rest>/.*)$")]
    private static partial Regex VersionedPath();

    [GeneratedRegex(@"^/containers/(?<id>[^/]+)/json$")]
    private static partial Regex ContainerInspectPath();

    [GeneratedRegex(@"^/images/(?<name>.+)/json$")]
    private static partial Regex ImageInspectPath();

    private static JsonObject? LabelsNode(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return null;
        }

        var node = new JsonObject();
        foreach (var (key, value) in labels)
        {
            node[key] = value;
        }

        return node;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        Requests.Enqueue($"{context.Request.Method} {context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget}");
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        switch (path)
        {
            case "/_ping":
                if (PingGate is { } gate)
                {
                    await gate.WaitAsync(aborted.Token);
                }

                if (PingApiVersion is { } version)
                {
                    context.Response.Headers["API-Version"] = version;
                }

                await context.Response.WriteAsync("OK", aborted.Token);
                return;
            case "/version":
                await WriteJsonAsync(context, 200, new JsonObject { ["Version"] = "20.10.24", ["ApiVersion"] = VersionApiVersion }.ToJsonString());
                return;
        }

        var versioned = VersionedPath().Match(path);
        if (!versioned.Success)
        {
            await WriteJsonAsync(context, 404, """{"message":"page not found"}""");
            return;
        }

        var rest = versioned.Groups["rest"].Value;
        if (Overrides.TryGetValue(rest, out var fixedAnswer))
        {
            await WriteJsonAsync(context, fixedAnswer.Status, fixedAnswer.Body);
        }
        else if (rest == "/events")
        {
            await StreamEventsAsync(context, aborted.Token);
        }
        else if (rest == "/containers/json")
        {
            var list = new JsonArray();
            foreach (var id in _running.Keys.Order(StringComparer.Ordinal))
            {
                list.Add(new JsonObject { ["Id"] = id, ["Names"] = new JsonArray("/c") });
            }

            await WriteJsonAsync(context, 200, list.ToJsonString());
        }
        else if (ContainerInspectPath().Match(rest) is { Success: true } container)
        {
            var id = container.Groups["id"].Value;
            await (_containers.TryGetValue(id, out var json)
                ? WriteJsonAsync(context, 200, json)
                : WriteJsonAsync(context, 404, $$"""{"message":"No such container: {{id}}"}"""));
        }
        else if (ImageInspectPath().Match(rest) is { Success: true } image)
        {
            // Kestrel leaves %2F escaped in the path; Go's URL.Path, which Docker's router matches, does not.
            var name = Uri.UnescapeDataString(image.Groups["name"].Value);
            await (_images.TryGetValue(name, out var json)
                ? WriteJsonAsync(context, 200, json)
                : WriteJsonAsync(context, 404, $$"""{"message":"No such image: {{name}}"}"""));
        }
        else
        {
            await WriteJsonAsync(context, 404, """{"message":"page not found"}""");
        }
    }

    private async Task StreamEventsAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var lines = Channel.CreateUnbounded<string?>();
        _streams[lines] = 0;
        Interlocked.Increment(ref _eventSubscriptions);
        try
        {
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            while (true)
            {
                string? line;
                try
                {
                    line = await lines.Reader.ReadAsync(cancellationToken);
                }
                catch (IOException)
                {
                    context.Abort();
                    return;
                }
                catch (ChannelClosedException)
                {
                    context.Abort();
                    return;
                }

                if (line is null)
                {
                    return;
                }

                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or the fake is stopping.
        }
        finally
        {
            _streams.TryRemove(lines, out _);
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }
}
