using System.Diagnostics;
using System.Text.Json;
using CiliumDocker.Bench.Measurement;

namespace CiliumDocker.Bench.Wire;

/// <summary>
/// One container's life as libnetwork drives it: RequestAddress, CreateEndpoint, Join, EndpointOperInfo (start),
/// then Leave, DeleteEndpoint, ReleaseAddress (stop). A failed call is undone the way Docker undoes it, so that
/// a failure never leaves an address or endpoint behind to distort later lifecycles.
/// </summary>
internal static class ContainerLifecycle
{
    /// <returns>null when every call succeeded, else what failed.</returns>
    public static string? Run(PluginConnection connection, PluginNetwork network, CallRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(recorder);
        var endpointId = DockerRequests.NewId();
        var endpoint = DockerRequests.Endpoint(network.NetworkId, endpointId);

        if (!Timed(connection, recorder, LifecycleCall.RequestAddress, DockerRequests.RequestAddress(network.PoolId), out var allocation, out var error))
        {
            return error;
        }

        string addressCidr;
        try
        {
            using var document = JsonDocument.Parse(allocation);
            addressCidr = PluginNetwork.Property(document.RootElement, "Address");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return "RequestAddress: " + e.Message;
        }

        var release = DockerRequests.ReleaseAddress(network.PoolId, PluginNetwork.BareIp(addressCidr));
        if (!Timed(connection, recorder, LifecycleCall.CreateEndpoint, DockerRequests.CreateEndpoint(network.NetworkId, endpointId, addressCidr), out _, out error))
        {
            Untimed(connection, "/IpamDriver.ReleaseAddress", release);
            return error;
        }

        if (!Timed(connection, recorder, LifecycleCall.Join, DockerRequests.Join(network.NetworkId, endpointId, DockerRequests.NewId()), out _, out error))
        {
            Untimed(connection, "/NetworkDriver.DeleteEndpoint", endpoint);
            Untimed(connection, "/IpamDriver.ReleaseAddress", release);
            return error;
        }

        // Docker ignores Leave, DeleteEndpoint and ReleaseAddress errors and goes on; so does the benchmark.
        var failures = new List<string>();
        Collect(Timed(connection, recorder, LifecycleCall.EndpointOperInfo, endpoint, out _, out error), error, failures);
        Collect(Timed(connection, recorder, LifecycleCall.Leave, endpoint, out _, out error), error, failures);
        Collect(Timed(connection, recorder, LifecycleCall.DeleteEndpoint, endpoint, out _, out error), error, failures);
        Collect(Timed(connection, recorder, LifecycleCall.ReleaseAddress, release, out _, out error), error, failures);
        return failures.Count == 0 ? null : string.Join("; ", failures);
    }

    private static bool Timed(PluginConnection connection, CallRecorder recorder, LifecycleCall call, string json, out string body, out string? error)
    {
        var path = Path(call);
        var started = Stopwatch.GetTimestamp();
        PluginResponse response;
        try
        {
            response = connection.Post(path, json);
        }
        catch (PluginWireException e)
        {
            body = string.Empty;
            error = e.Message;
            return false;
        }

        recorder.Record(call, Stopwatch.GetTimestamp() - started);
        body = response.Body;
        error = response.Succeeded ? null : $"{path} answered {response.Status}: {PluginCallFailedException.ErrorText(response.Body)}";
        return response.Succeeded;
    }

    private static void Untimed(PluginConnection connection, string path, string json)
    {
        try
        {
            connection.Post(path, json);
        }
        catch (PluginWireException)
        {
            // The rollback is best effort, as in Docker; the original failure is what gets reported.
        }
    }

    private static void Collect(bool succeeded, string? error, List<string> failures)
    {
        if (!succeeded && error is not null)
        {
            failures.Add(error);
        }
    }

    public static string Path(LifecycleCall call) => call switch
    {
        LifecycleCall.RequestAddress => "/IpamDriver.RequestAddress",
        LifecycleCall.ReleaseAddress => "/IpamDriver.ReleaseAddress",
        _ => "/NetworkDriver." + call,
    };
}
