using System.Globalization;

namespace QualityPrediction.Training.Internal;

internal enum RawKind
{
    Missing,
    Number,
    Text,
    Boolean,
    Nested,
}

internal readonly record struct RawValue(RawKind Kind, double Number, string? Text)
{
    public static RawValue Missing => new(RawKind.Missing, 0, null);

    public static RawValue FromNumber(double value) => new(RawKind.Number, value, null);

    public static RawValue FromText(string value) => new(RawKind.Text, 0, value);
}

internal sealed class RawRecord(string file, int line)
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public List<KeyValuePair<string, RawValue>> Fields { get; } = [];

    /// <summary>Top-level fields of a legacy record that are not features (timestamp, csat, metadata…); usable as the target only.</summary>
    public Dictionary<string, RawValue>? Outer { get; set; }

    public (string Field, string Problem)? Error { get; set; }

    /// <summary>Gets a value indicating whether this is a CSV header: its fields are the column names, with no values.</summary>
    public bool IsHeader { get; init; }

    /// <summary>How numbers written as text are parsed: the invariant culture, or decimal commas for a CSV file that uses them.</summary>
    public NumberFormatInfo Numbers { get; init; } = NumberFormatInfo.InvariantInfo;
}
