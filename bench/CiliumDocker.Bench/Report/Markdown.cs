using System.Globalization;
using System.Text;

namespace CiliumDocker.Bench.Report;

/// <summary>Markdown tables and number formats shared by the benchmarks' reports.</summary>
internal sealed class Markdown
{
    private readonly StringBuilder _text = new();

    public Markdown Heading(string text)
    {
        _text.Append("### ").AppendLine(text).AppendLine();
        return this;
    }

    public Markdown Paragraph(string text)
    {
        _text.AppendLine(text).AppendLine();
        return this;
    }

    public Markdown Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        _text.Append("| ").AppendJoin(" | ", header).AppendLine(" |");
        _text.Append('|').AppendJoin('|', header.Select(_ => "---")).AppendLine("|");
        foreach (var row in rows)
        {
            _text.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        }

        _text.AppendLine();
        return this;
    }

    public override string ToString() => _text.ToString();

    public static string Number(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Mib(long kib) => Number(kib / 1024.0, 1) + " MiB";

    /// <summary>"met" or "missed" for a figure against an upper bound.</summary>
    public static string AtMost(double value, double target) => value <= target ? "met" : "**missed**";

    /// <summary>"met" or "missed" for a figure against a lower bound.</summary>
    public static string AtLeast(double value, double target) => value >= target ? "met" : "**missed**";
}
