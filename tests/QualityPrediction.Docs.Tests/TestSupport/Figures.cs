using System.Globalization;
using System.Text.RegularExpressions;

namespace QualityPrediction.Docs.Tests.TestSupport;

/// <summary>Reads figures from Markdown tables, as the docs quote them and as the CLI prints them.</summary>
internal static partial class Figures
{
    /// <summary>The cell of the table row that starts with <paramref name="row"/>, in the column headed <paramref name="column"/>, as a number (bold and % removed).</summary>
    public static double Cell(string text, string row, string column)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            var cells = Cells(lines[i]);
            if (cells.Length == 0 || cells[0] != row)
            {
                continue;
            }

            for (var h = i - 1; h >= 0; h--)
            {
                var header = Cells(lines[h]);
                if (header.Length > 0 && !header.All(c => c.Trim('-', ':').Length == 0) && !lines[h + 1].StartsWith("| " + row, StringComparison.Ordinal) && header.Length == cells.Length && IsHeader(lines, h))
                {
                    var index = Array.IndexOf(header, column);
                    if (index < 0)
                    {
                        throw new InvalidOperationException($"no column '{column}' in the table above '{row}': {lines[h]}");
                    }

                    return Number(cells[index]);
                }
            }
        }

        throw new InvalidOperationException($"no table row '| {row} |' in:\n{text}");
    }

    /// <summary>The first number after <paramref name="label"/> (e.g. "coverage **90.0 %**" → 90.0).</summary>
    public static double After(string text, string label)
    {
        var at = text.IndexOf(label, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"no '{label}' in:\n{text}");
        }

        return Number(NumberPattern().Match(text, at + label.Length).Value);
    }

    public static double Number(string cell) => double.Parse(NumberPattern().Match(cell.Replace("*", "", StringComparison.Ordinal)).Value, CultureInfo.InvariantCulture);

    private static bool IsHeader(string[] lines, int h) => h + 1 < lines.Length && Cells(lines[h + 1]).All(c => c.Trim('-', ':').Length == 0);

    private static string[] Cells(string line) =>
        line.StartsWith('|') ? line.Trim('|').Split('|').Select(c => c.Trim()).ToArray() : [];

    [GeneratedRegex(@"-?\d+(\.\d+)?")]
    private static partial Regex NumberPattern();
}
