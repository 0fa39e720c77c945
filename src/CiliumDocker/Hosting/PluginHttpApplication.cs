using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http.Features;

namespace CiliumDocker.Hosting;

/// <summary>
/// What Kestrel runs per request: one <see cref="DefaultHttpContext"/> per connection, reset between requests (Kestrel
/// keeps it in its connection through <see cref="IHostContextContainer{TContext}"/>), handed to the plugin's routes.
/// The generic host's application adds activity, diagnostic and request-services work per request that a plugin
/// socket with one client does not use.
/// </summary>
internal sealed class PluginHttpApplication(RequestDelegate routes) : IHttpApplication<HttpContext>
{
    public HttpContext CreateContext(IFeatureCollection contextFeatures)
    {
        if (contextFeatures is not IHostContextContainer<HttpContext> container)
        {
            return new DefaultHttpContext(contextFeatures);
        }

        if (container.HostContext is DefaultHttpContext reused)
        {
            reused.Initialize(contextFeatures);
            return reused;
        }

        var created = new DefaultHttpContext(contextFeatures);
        container.HostContext = created;
        return created;
    }

    public Task ProcessRequestAsync(HttpContext context) => routes(context);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
        if (context is DefaultHttpContext pooled)
        {
            pooled.Uninitialize();
        }
    }
}
