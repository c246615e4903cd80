using System.Globalization;

namespace QualityPrediction.Feedback.Internal;

/// <summary>
/// One data file of the embedded store: <c>KIND-WRITER-NNNNNN.jsonl</c> (KIND <c>predictions</c> or <c>outcomes</c>, WRITER the
/// id of the store instance that appends to it), or <c>KIND-NNNNNN.jsonl</c> as written by versions without writer ids.
/// </summary>
/// <param name="Path">The full path.</param>
/// <param name="Name">The file name (the key of a position).</param>
/// <param name="Outcomes">Whether it holds outcomes (else predictions).</param>
/// <param name="Writer">The writer id; empty for a file of an earlier version.</param>
/// <param name="Number">The file's number in its writer's sequence.</param>
internal sealed record StoreFile(string Path, string Name, bool Outcomes, string Writer, int Number)
{
    public const string PredictionsPrefix = "predictions-";
    public const string OutcomesPrefix = "outcomes-";
    public const string Extension = ".jsonl";

    /// <summary>Orders files as the store reads them: legacy files first, then by writer id (which starts with the writer's start time), then by number.</summary>
    public static readonly Comparison<StoreFile> ReadOrder = (a, b) =>
    {
        var byWriter = string.CompareOrdinal(a.Writer, b.Writer);
        return byWriter != 0 ? byWriter : a.Number.CompareTo(b.Number);
    };

    public static string FileName(bool outcomes, string writer, int number) => string.Create(
        CultureInfo.InvariantCulture,
        $"{(outcomes ? OutcomesPrefix : PredictionsPrefix)}{(writer.Length > 0 ? writer + "-" : "")}{number:D6}{Extension}");

    /// <summary>Parses a file name; <see langword="null"/> for a file that is not a data file of the store.</summary>
    public static StoreFile? TryParse(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (!name.EndsWith(Extension, StringComparison.Ordinal))
        {
            return null;
        }

        var outcomes = name.StartsWith(OutcomesPrefix, StringComparison.Ordinal);
        if (!outcomes && !name.StartsWith(PredictionsPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = name[(outcomes ? OutcomesPrefix : PredictionsPrefix).Length..^Extension.Length];
        var dash = rest.LastIndexOf('-');
        var digits = dash < 0 ? rest : rest[(dash + 1)..];
        if (digits.Length != 6 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        return new StoreFile(path, name, outcomes, dash < 0 ? "" : rest[..dash], number);
    }

    /// <summary>Lists the data files of a folder in read order.</summary>
    public static List<StoreFile> List(string folder)
    {
        var files = new List<StoreFile>();
        if (Directory.Exists(folder))
        {
            foreach (var path in Directory.EnumerateFiles(folder, "*" + Extension))
            {
                if (TryParse(path) is { } file)
                {
                    files.Add(file);
                }
            }
        }

        files.Sort(ReadOrder);
        return files;
    }
}
