using System.Globalization;
using System.Text;
using System.Text.Json;

namespace QualityPrediction.Training.Internal;

/// <summary>Parses files into raw records: CSV with a header, JSON lines, JSON arrays, the legacy <c>{"features":{…},"target":n}</c> shape.</summary>
internal static class RecordParsers
{
    public static List<RawRecord> Parse(string path, CancellationToken cancellationToken)
    {
        var bytes = File.ReadAllBytes(path);
        var start = 0;
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        {
            start = 3;
        }

        var first = start;
        while (first < bytes.Length && (bytes[first] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            first++;
        }

        if (first == bytes.Length)
        {
            throw new Data.DataFormatException(new Data.BadRow(path, 1, Data.BadRow.WholeRow, "the file is empty."));
        }

        var extension = Path.GetExtension(path).ToLowerInvariant();
        var looksJson = bytes[first] is (byte)'[' or (byte)'{';
        if (extension == ".csv" || (!looksJson && extension is not ".json" and not ".jsonl" and not ".ndjson"))
        {
            return ParseCsv(path, Encoding.UTF8.GetString(bytes, start, bytes.Length - start), cancellationToken);
        }

        return bytes[first] == (byte)'['
            ? ParseJsonArray(path, bytes.AsMemory(start), cancellationToken)
            : ParseJsonLines(path, Encoding.UTF8.GetString(bytes, start, bytes.Length - start), cancellationToken);
    }

    private static List<RawRecord> ParseCsv(string path, string text, CancellationToken cancellationToken)
    {
        var records = new List<RawRecord>();
        var lines = text.Split('\n');
        string[]? header = null;
        var separator = ',';
        for (var i = 0; i < lines.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (header is null)
            {
                if (!line.Contains(',', StringComparison.Ordinal) && line.Contains(';', StringComparison.Ordinal))
                {
                    separator = ';';
                }

                var (names, error) = SplitCsv(line, separator);
                if (error is not null)
                {
                    throw new Data.DataFormatException(new Data.BadRow(path, i + 1, "(header)", error));
                }

                header = [.. names.Select(n => n.Trim())];
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var name in header)
                {
                    if (name.Length == 0)
                    {
                        throw new Data.DataFormatException(new Data.BadRow(path, i + 1, "(header)", "a column has an empty name."));
                    }

                    if (!seen.Add(name))
                    {
                        throw new Data.DataFormatException(new Data.BadRow(path, i + 1, "(header)", $"column '{name}' appears twice."));
                    }
                }

                continue;
            }

            var record = new RawRecord(path, i + 1);
            records.Add(record);
            var (fields, problem) = SplitCsv(line, separator);
            if (problem is not null)
            {
                record.Error = (Data.BadRow.WholeRow, problem);
                continue;
            }

            if (fields.Count != header.Length)
            {
                record.Error = (Data.BadRow.WholeRow, $"expected {header.Length} fields as in the header, found {fields.Count}.");
                continue;
            }

            for (var f = 0; f < fields.Count; f++)
            {
                var value = fields[f].Trim();
                record.Fields.Add(KeyValuePair.Create(header[f], value.Length == 0 ? RawValue.Missing : RawValue.FromText(value)));
            }
        }

        if (header is null)
        {
            throw new Data.DataFormatException(new Data.BadRow(path, 1, "(header)", "the file has no header row."));
        }

        return records;
    }

    private static (List<string> Fields, string? Error) SplitCsv(string line, char separator)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var i = 0;
        while (true)
        {
            current.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                var closed = false;
                while (i < line.Length)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            current.Append('"');
                            i += 2;
                            continue;
                        }

                        closed = true;
                        i++;
                        break;
                    }

                    current.Append(line[i++]);
                }

                if (!closed)
                {
                    return (fields, $"field {fields.Count + 1} has an unterminated quote (quoted fields cannot span lines).");
                }

                if (i < line.Length && line[i] != separator)
                {
                    return (fields, $"field {fields.Count + 1} has text after its closing quote.");
                }
            }
            else
            {
                while (i < line.Length && line[i] != separator)
                {
                    current.Append(line[i++]);
                }
            }

            fields.Add(current.ToString());
            if (i >= line.Length)
            {
                return (fields, null);
            }

            i++; // the separator
        }
    }

    private static List<RawRecord> ParseJsonLines(string path, string text, CancellationToken cancellationToken)
    {
        var records = new List<RawRecord>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var record = new RawRecord(path, i + 1);
            records.Add(record);
            try
            {
                using var document = JsonDocument.Parse(line);
                FillFromObject(record, document.RootElement);
            }
            catch (JsonException ex)
            {
                record.Error = (Data.BadRow.WholeRow, $"malformed JSON: {FirstSentence(ex.Message)}");
            }
        }

        return records;
    }

    private static List<RawRecord> ParseJsonArray(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var records = new List<RawRecord>();
        var span = bytes.Span;
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        var line = 1;
        long counted = 0;
        try
        {
            reader.Read(); // StartArray
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                for (var p = counted; p < reader.TokenStartIndex; p++)
                {
                    if (span[(int)p] == (byte)'\n')
                    {
                        line++;
                    }
                }

                counted = reader.TokenStartIndex;
                var record = new RawRecord(path, line);
                records.Add(record);
                using var element = JsonDocument.ParseValue(ref reader);
                try
                {
                    FillFromObject(record, element.RootElement);
                }
                catch (InvalidOperationException ex)
                {
                    // The reader accepts invalid UTF-8 inside strings; decoding them throws. That is a bad record, not a crash.
                    record.Error = (Data.BadRow.WholeRow, $"the record holds text that is not valid UTF-8: {FirstSentence(ex.Message)}");
                }
            }
        }
        catch (JsonException ex)
        {
            var at = ex.LineNumber is { } l ? (int)l + 1 : line;
            throw new Data.DataFormatException(new Data.BadRow(path, at, Data.BadRow.WholeRow, $"malformed JSON array: {FirstSentence(ex.Message)}"), ex);
        }

        return records;
    }

    private static void FillFromObject(RawRecord record, JsonElement element)
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

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    public static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
