using System.Diagnostics;
using System.Globalization;
using CiliumDocker.Datapath;
using CiliumDocker.Datapath.Netlink;
using Microsoft.Extensions.Logging.Abstractions;

namespace CiliumDocker.Bench.Datapath;

/// <summary>
/// Times creating N pairs and then deleting them, for each method, over several rounds, in the current network
/// namespace. Every method makes the same pair: MACs on both ends, MTU 1450, txqueuelen 1000. The library also
/// brings the host end up, sets its rp_filter and reads its index back, as CreateEndpoint needs; `ip link add`
/// does none of that.
/// </summary>
internal sealed class DatapathBenchmark(int pairs, int rounds, TextWriter progress)
{
    private const int Mtu = 1450;
    private const int WarmUpPairs = 10;

    public async Task<IReadOnlyList<MethodResult>> RunAsync()
    {
        var methods = Methods();
        foreach (var method in methods)
        {
            await MeasureAsync(method, WarmUpPairs, "warmup");
        }

        var timings = methods.ToDictionary(m => m.Name, _ => new List<(TimeSpan Create, TimeSpan Delete)>());
        for (var round = 0; round < rounds; round++)
        {
            // Rotating the order keeps any drift of the shared machine from favouring one method.
            foreach (var method in methods.Skip(round % methods.Count).Concat(methods.Take(round % methods.Count)))
            {
                var timing = await MeasureAsync(method, pairs, "r" + round);
                timings[method.Name].Add(timing);
                progress.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"round {round + 1}: {method.Name,-48} create {timing.Create.TotalMilliseconds,8:F1} ms  delete {timing.Delete.TotalMilliseconds,8:F1} ms"));
            }
        }

        return [.. methods.Select(m => MethodResult.FromMedian(m.Name, m.Command, timings[m.Name], pairs))];
    }

    private static List<Method> Methods()
    {
        const string IpCommand =
            "ip link add lxcX address M1 mtu 1450 txqueuelen 1000 type veth peer name tmpX address M2 mtu 1450 txqueuelen 1000; ip link del lxcX";
        var pooled = Datapath(NetlinkEndpointDatapath.DefaultMaxSockets);
        List<Method> methods =
        [
            new("ip link add/del, one process at a time", IpCommand, ids => Sequential(ids, IpCreate), ids => Sequential(ids, IpDelete)),
            new("ip link add/del, 8 processes at a time", IpCommand, ids => Concurrent(ids, IpCreate, 8), ids => Concurrent(ids, IpDelete, 8)),
            new("ip -batch, one process for all pairs (kernel-bound reference)", "ip -batch FILE, FILE holding the same link add lines, then the link del lines",
                ids => IpBatch(ids.Select(IpCreateArguments)), ids => IpBatch(ids.Select(IpDeleteArguments))),
            Library("library, one call at a time", pooled, concurrency: 1),
        ];
        foreach (var maxSockets in new[] { 1, 4, NetlinkEndpointDatapath.DefaultMaxSockets, 64 }.Distinct().Order())
        {
            var suffix = maxSockets == NetlinkEndpointDatapath.DefaultMaxSockets ? " (default)" : "";
            methods.Add(Library(
                $"library, all calls at once, {maxSockets} socket{(maxSockets == 1 ? "" : "s")}{suffix}",
                maxSockets == NetlinkEndpointDatapath.DefaultMaxSockets ? pooled : Datapath(maxSockets),
                concurrency: int.MaxValue));
        }

        methods.Add(new("library, all calls at once, a new socket per call", "a NetlinkEndpointDatapath per call, disposed after it",
            ids => Concurrent(ids, PerCallCreate, int.MaxValue), ids => Concurrent(ids, PerCallDelete, int.MaxValue)));
        return methods;
    }

    private static NetlinkEndpointDatapath Datapath(int maxSockets) =>
        new(NullLogger<NetlinkEndpointDatapath>.Instance, networkNamespacePath: null, maxSockets);

    private static Method Library(string name, NetlinkEndpointDatapath datapath, int concurrency) =>
        new(name,
            concurrency == 1 ? "NetlinkEndpointDatapath.CreateAsync/DeleteAsync, awaited one by one" : "NetlinkEndpointDatapath.CreateAsync/DeleteAsync, Task.Run each, Task.WhenAll",
            ids => Concurrent(ids, id => datapath.CreateAsync(Request(id), CancellationToken.None), concurrency),
            ids => Concurrent(ids, id => datapath.DeleteAsync(id, CancellationToken.None), concurrency));

    private static async Task<(TimeSpan Create, TimeSpan Delete)> MeasureAsync(Method method, int count, string tag)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"bench-{tag}-{method.Name}-{i}").ToArray();
        var clock = Stopwatch.StartNew();
        await method.CreateAll(ids);
        var create = clock.Elapsed;
        clock.Restart();
        await method.DeleteAll(ids);
        var delete = clock.Elapsed;
        EnsureNamespaceEmpty(method.Name);
        return (create, delete);
    }

    private static VethRequest Request(string id) => new(id, null, Mtu, default);

    private static async Task PerCallCreate(string id)
    {
        using var datapath = new NetlinkEndpointDatapath(NullLogger<NetlinkEndpointDatapath>.Instance);
        await datapath.CreateAsync(Request(id), CancellationToken.None);
    }

    private static async Task PerCallDelete(string id)
    {
        using var datapath = new NetlinkEndpointDatapath(NullLogger<NetlinkEndpointDatapath>.Instance);
        await datapath.DeleteAsync(id, CancellationToken.None);
    }

    private static Task IpCreate(string id)
    {
        Shell.MustRun("ip", IpCreateArguments(id));
        return Task.CompletedTask;
    }

    private static Task IpDelete(string id)
    {
        Shell.MustRun("ip", IpDeleteArguments(id));
        return Task.CompletedTask;
    }

    private static string[] IpCreateArguments(string id) =>
    [
        "link", "add", VethNames.Host(id), "address", MacAddresses.Format(MacAddresses.NewLocallyAdministered()),
        "mtu", "1450", "txqueuelen", "1000", "type", "veth", "peer", "name", VethNames.Container(id),
        "address", MacAddresses.Format(MacAddresses.NewLocallyAdministered()), "mtu", "1450", "txqueuelen", "1000",
    ];

    private static string[] IpDeleteArguments(string id) => ["link", "del", VethNames.Host(id)];

    private static Task IpBatch(IEnumerable<string[]> commands)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, commands.Select(arguments => string.Join(' ', arguments)));
            Shell.MustRun("ip", "-batch", file);
        }
        finally
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    private static Task Sequential(IEnumerable<string> ids, Func<string, Task> operation) => Concurrent(ids, operation, 1);

    private static async Task Concurrent(IEnumerable<string> ids, Func<string, Task> operation, int concurrency)
    {
        if (concurrency == 1)
        {
            foreach (var id in ids)
            {
                await operation(id);
            }

            return;
        }

        using var slots = new SemaphoreSlim(Math.Min(concurrency, 100_000));
        await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            await slots.WaitAsync();
            try
            {
                await operation(id);
            }
            finally
            {
                slots.Release();
            }
        })));
    }

    private static void EnsureNamespaceEmpty(string method)
    {
        var links = Shell.MustRun("ip", "-o", "link", "show").StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (links.Length != 1)
        {
            throw new InvalidOperationException($"{method} left {links.Length - 1} links behind");
        }
    }

    private sealed record Method(string Name, string Command, Func<string[], Task> CreateAll, Func<string[], Task> DeleteAll);
}
