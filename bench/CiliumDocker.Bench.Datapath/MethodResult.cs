using System.Globalization;
using System.Text;

namespace CiliumDocker.Bench.Datapath;

/// <param name="Create">Median time to create all pairs.</param>
/// <param name="Delete">Median time to delete them.</param>
internal sealed record MethodResult(string Name, string Command, TimeSpan Create, TimeSpan Delete, int Pairs)
{
    /// <summary>Create + delete cycles per second.</summary>
    public double PairsPerSecond => Pairs / (Create + Delete).TotalSeconds;

    public double CreatesPerSecond => Pairs / Create.TotalSeconds;

    public double DeletesPerSecond => Pairs / Delete.TotalSeconds;

    public static MethodResult FromMedian(string name, string command, IReadOnlyList<(TimeSpan Create, TimeSpan Delete)> timings, int pairs)
    {
        var median = timings.OrderBy(t => t.Create + t.Delete).ElementAt(timings.Count / 2);
        return new MethodResult(name, command, median.Create, median.Delete, pairs);
    }
}

internal static class ResultTable
{
    /// <summary>A Markdown table; the first result (ip) is the baseline of the ratio column.</summary>
    public static string Format(IReadOnlyList<MethodResult> results, int pairs, int rounds)
    {
        var baseline = results[0];
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{pairs} pairs created then deleted, median of {rounds} rounds");
        table.AppendLine();
        table.AppendLine("| method | creates/s | deletes/s | pairs/s (create+delete) | pairs/s vs ip | creates/s vs ip |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var result in results)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {result.Name} | {result.CreatesPerSecond:F0} | {result.DeletesPerSecond:F0} | {result.PairsPerSecond:F0} | {result.PairsPerSecond / baseline.PairsPerSecond:F1}x | {result.CreatesPerSecond / baseline.CreatesPerSecond:F1}x |");
        }

        table.AppendLine();
        foreach (var result in results)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"- {result.Name}: {result.Command}");
        }

        return table.ToString();
    }
}
