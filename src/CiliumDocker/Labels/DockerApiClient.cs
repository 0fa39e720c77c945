using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CiliumDocker.Labels;

/// <summary>
/// The handful of Docker Engine API calls the label watcher makes, over the Docker socket. Requests go to
/// <c>/v{version}/...</c> with the version negotiated from <c>/_ping</c>: engines refuse versions below their
/// minimum (1.24 for Docker 25+, higher for newer ones) and above their maximum (1.41 for Docker 20.10).
/// </summary>
internal sealed class DockerApiClient : IDisposable
{
    /// <summary>The newest API version whose fields this client knows to read; newer engines still serve it.</summary>
    public static readonly Version MaxApiVersion = new(1, 47);

    private readonly DockerHost _host;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly HttpClient _http;
    private volatile string? _versionPrefix;

    public DockerApiClient(DockerHost host, TimeSpan requestTimeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _host = host;
        _requestTimeout = requestTimeout;
        _timeProvider = timeProvider;
        var handler = new SocketsHttpHandler
        {
            // HTTP(S)_PROXY must never apply to the local Docker socket.
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = requestTimeout,
        };
        if (host.IsUnix)
        {
            handler.ConnectCallback = (_, cancellationToken) => host.ConnectUnixAsync(cancellationToken);
        }

        // Timeouts are per call below: the events stream must stay open indefinitely.
        _http = new HttpClient(handler) { BaseAddress = host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The version requests use, e.g. <c>1.41</c>; null until <see cref="NegotiateApiVersionAsync"/> ran.</summary>
    public string? ApiVersion => _versionPrefix;

    /// <summary>Asks the engine for its API version and settles on the lower of it and <see cref="MaxApiVersion"/>.</summary>
    public async Task<string> NegotiateApiVersionAsync(CancellationToken cancellationToken)
    {
        var engine = await WithTimeoutAsync("GET /_ping", async ct =>
        {
            using var response = await SendAsync(HttpMethod.Get, "/_ping", HttpCompletionOption.ResponseContentRead, ct);
            await EnsureSuccessAsync(response, "GET /_ping", ct);
            return response.Headers.TryGetValues("API-Version", out var values) ? values.FirstOrDefault() : null;
        }, cancellationToken);

        // Engines before API 1.25 did not send the header on /_ping; /version has carried the field all along.
        engine ??= (await GetJsonAsync("/version", DockerApiJsonContext.Default.DockerVersion, cancellationToken))?.ApiVersion;
        if (!TryParseApiVersion(engine, out var engineVersion))
        {
            throw new DockerApiException($"Docker at {_host} did not tell its API version (got '{engine}'); is it a Docker Engine?");
        }

        var chosen = engineVersion < MaxApiVersion ? engineVersion : MaxApiVersion;
        var text = chosen.ToString(2);
        _versionPrefix = text;
        return text;
    }

    /// <summary>Opens <c>GET /events</c> for container starts. The caller owns the returned response.</summary>
    /// <remarks>
    /// Filters use the map-of-sets form every engine since API 1.22 reads; the older list form is slated for removal.
    /// </remarks>
    public Task<HttpResponseMessage> OpenContainerStartEventsAsync(CancellationToken cancellationToken)
    {
        var path = Versioned("/events?filters=" + Uri.EscapeDataString("""{"type":{"container":true},"event":{"start":true}}"""));
        return WithTimeoutAsync("GET /events", async ct =>
        {
            var response = await SendAsync(HttpMethod.Get, path, HttpCompletionOption.ResponseHeadersRead, ct);
            try
            {
                await EnsureSuccessAsync(response, "GET /events", ct);
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }, cancellationToken);
    }

    /// <summary><c>GET /containers/{id}/json</c>; null when the container is gone.</summary>
    public Task<ContainerInspect?> InspectContainerAsync(string id, CancellationToken cancellationToken) =>
        GetJsonAsync(Versioned("/containers/" + EscapePathSegment(id) + "/json"), DockerApiJsonContext.Default.ContainerInspect, cancellationToken);

    /// <summary><c>GET /images/{name}/json</c>; null when the image is gone.</summary>
    public Task<ImageInspect?> InspectImageAsync(string image, CancellationToken cancellationToken) =>
        GetJsonAsync(Versioned("/images/" + EscapePathSegment(image) + "/json"), DockerApiJsonContext.Default.ImageInspect, cancellationToken);

    /// <summary><c>GET /containers/json</c> of running containers.</summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListRunningContainersAsync(CancellationToken cancellationToken)
    {
        var path = Versioned("/containers/json?filters=" + Uri.EscapeDataString("""{"status":{"running":true}}"""));
        return await GetJsonAsync(path, DockerApiJsonContext.Default.ListContainerSummary, cancellationToken) ?? [];
    }

    public void Dispose() => _http.Dispose();

    private static bool TryParseApiVersion(string? text, out Version version)
    {
        version = new Version(0, 0);
        var parts = text?.Trim().Split('.');
        if (parts is not { Length: 2 }
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }

        version = new Version(major, minor);
        return true;
    }

    // Keeps the ':' of "sha256:..." image IDs literal, as the Docker CLI sends them.
    private static string EscapePathSegment(string segment) => Uri.EscapeDataString(segment).Replace("%3A", ":", StringComparison.Ordinal);

    private string Versioned(string path)
    {
        var version = _versionPrefix
            ?? throw new InvalidOperationException("The Docker API version has not been negotiated yet.");
        return "/v" + version + path;
    }

    private Task<T?> GetJsonAsync<T>(string path, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        var what = "GET " + path;
        return WithTimeoutAsync(what, async ct =>
        {
            using var response = await SendAsync(HttpMethod.Get, path, HttpCompletionOption.ResponseContentRead, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            await EnsureSuccessAsync(response, what, ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            try
            {
                return await JsonSerializer.DeserializeAsync(body, typeInfo, ct);
            }
            catch (JsonException ex)
            {
                throw new DockerApiException($"Docker at {_host} answered {what} with a body that is not the expected JSON: {ex.Message}", response.StatusCode, ex);
            }
        }, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // The socket errors read "(localhost:80)" for a Unix socket; say which socket it was.
            throw new DockerApiException($"Docker at {_host} could not be reached for {method} {path}: {ex.Message}", null, ex);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = await ReadErrorMessageAsync(response, cancellationToken);
        throw new DockerApiException(
            $"Docker at {_host} answered {what} with {(int)response.StatusCode} {response.ReasonPhrase}: {detail}",
            response.StatusCode);
    }

    private static async Task<string> ReadErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            if (JsonSerializer.Deserialize(text, DockerApiJsonContext.Default.DockerErrorBody)?.Message is { } message)
            {
                return message;
            }
        }
        catch (JsonException)
        {
            // Not Docker's {"message": ...}: show the raw text below.
        }

        const int maxChars = 300;
        return text.Length > maxChars ? text[..maxChars] + "…" : text;
    }

    /// <summary>Bounds a call: dockerd accepts connections during its start before it serves them.</summary>
    private async Task<T> WithTimeoutAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_requestTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await call(linked.Token);
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DockerApiException($"Docker at {_host} did not answer {what} within {_requestTimeout.TotalSeconds:0.###} s", null, ex);
        }
        catch (IOException ex)
        {
            throw new DockerApiException($"Docker at {_host} dropped the connection during {what}: {ex.Message}", null, ex);
        }
    }
}
