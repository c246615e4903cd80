using System.Globalization;
using System.Text.Json;

namespace QualityPrediction.Training.Internal;

/// <summary>Reads data files into raw records, streaming where the format allows: CSV with a header, JSON lines, JSON arrays, the legacy <c>{"features":{…},"target":n}</c> shape.</summary>
internal static class RecordParsers
{
    /// <summary>Decimal commas: <c>7,4</c>.</summary>
    public static readonly NumberFormatInfo DecimalComma = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = "\u00a0" };

    /// <summary>Reads a file's records lazily; the file stays open until the enumeration ends.</summary>
    /// <param name="path">The file.</param>
    /// <param name="numbers">How a CSV file's numbers are written (decimal point or comma).</param>
    /// <param name="maxLineBytes">The longest line accepted.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The records, in file order; for CSV the header first (<see cref="RawRecord.IsHeader"/>).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Data.DataFormatException">The path is not a data file, or the file is malformed beyond a single record.</exception>
    public static IEnumerable<RawRecord> Read(string path, NumberFormatInfo numbers, int maxLineBytes, CancellationToken cancellationToken)
    {
        using var stream = DataFile.Open(path);
        var (kind, firstLine) = DataFile.Detect(path, stream);
        var records = kind switch
        {
            DataFileKind.Csv => CsvRecords.Read(path, stream, CsvRecords.DetectSeparator(firstLine), numbers, maxLineBytes, cancellationToken),
            DataFileKind.JsonLines => JsonLinesRecords.Read(path, stream, maxLineBytes, cancellationToken),
            _ => JsonArrayRecords.Read(path, stream, cancellationToken),
        };
        foreach (var record in records)
        {
            yield return record;
        }
    }

    /// <summary>Tells a file's format and, for CSV, its separator, without reading more than its start.</summary>
    public static (DataFileKind Kind, char Separator) Describe(string path)
    {
        using var stream = DataFile.Open(path);
        var (kind, firstLine) = DataFile.Detect(path, stream);
        return (kind, kind == DataFileKind.Csv ? CsvRecords.DetectSeparator(firstLine) : ',');
    }

    internal static void FillFromObject(RawRecord record, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            record.Error = (Data.BadRow.WholeRow, $"expected a JSON object, found {Describe(element.ValueKind)}.");
            return;
        }

        var isLegacy = element.TryGetProperty("features", out var features);
        if (isLegacy && features.ValueKind != JsonValueKind.Object)
        {
            record.Error = ("features", $"expected an object of features, found {Describe(features.ValueKind)}.");
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (isLegacy)
        {
            record.Outer = new Dictionary<string, RawValue>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name != "features")
                {
                    record.Outer[property.Name] = Convert(property.Value);
                }
            }
        }

        foreach (var property in (isLegacy ? features : element).EnumerateObject())
        {
            if (string.IsNullOrWhiteSpace(property.Name))
            {
                record.Error = (Data.BadRow.WholeRow, "a field has an empty name.");
                return;
            }

            if (!seen.Add(property.Name))
            {
                record.Error = (property.Name, "the field appears twice in the record.");
                return;
            }

            record.Fields.Add(KeyValuePair.Create(property.Name, Convert(property.Value)));
        }
    }

    internal static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    public static bool TryParseNumber(string text, NumberFormatInfo numbers, out double value) =>
        double.TryParse(text.AsSpan().Trim(), NumberStyles.Float, numbers, out value);

    public static bool TryParseNumber(string text, out double value) => TryParseNumber(text, NumberFormatInfo.InvariantInfo, out value);

    private static RawValue Convert(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => RawValue.Missing,
        JsonValueKind.Number => value.TryGetDouble(out var number) ? RawValue.FromNumber(number) : RawValue.FromText(value.GetRawText()),
        JsonValueKind.String => RawValue.FromText(value.GetString()!),
        JsonValueKind.True => new RawValue(RawKind.Boolean, 1, "true"),
        JsonValueKind.False => new RawValue(RawKind.Boolean, 0, "false"),
        _ => new RawValue(RawKind.Nested, 0, value.ValueKind == JsonValueKind.Array ? "an array" : "an object"),
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
