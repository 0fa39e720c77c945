using System.Diagnostics;
using System.Globalization;
using CiliumDocker.Bench.Datapath;

// Create + delete of N veth pairs: this library against `ip link add/del` run as processes, in a network namespace
// made for the run. The program re-runs itself inside the namespace (`ip netns exec`) so that every method, the
// library's sockets and the ip processes alike, works there without any setns of its own.
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: CiliumDocker.Bench.Datapath [--pairs N (default 200)] [--rounds R (default 3)]");
    return 2;
}

if (!options.Inside)
{
    return RunInFreshNamespace(options);
}

var results = await new DatapathBenchmark(options.Pairs, options.Rounds, Console.Out).RunAsync();
Console.WriteLine();
Console.WriteLine(ResultTable.Format(results, options.Pairs, options.Rounds));
return 0;

static int RunInFreshNamespace(BenchOptions options)
{
    var netns = "cdbench-" + Guid.NewGuid().ToString("N")[..8];
    Shell.MustRun("ip", "netns", "add", netns);
    try
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo("ip") { UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", netns, self })
        {
            start.ArgumentList.Add(argument);
        }

        // Under `dotnet CiliumDocker.Bench.Datapath.dll` the process is dotnet itself and the assembly comes next.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(DatapathBenchmark).Assembly.Location);
        }

        foreach (var argument in new[] { "--inside", "--pairs", options.Pairs.ToString(CultureInfo.InvariantCulture), "--rounds", options.Rounds.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        Console.WriteLine($"network namespace {netns}; kernel {Environment.OSVersion.Version}; {Environment.ProcessorCount} CPUs");
        using var child = Process.Start(start)!;
        child.WaitForExit();
        return child.ExitCode;
    }
    finally
    {
        Shell.MustRun("ip", "netns", "del", netns);
    }
}
