using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using QualityPrediction.Training.Data;

namespace QualityPrediction.Training.Internal;

/// <summary>
/// Reads CSV (RFC 4180: quoted fields may hold separators, <c>""</c> and line breaks) with a header row, streaming, through
/// Sep. Sep splits the rows and tracks their lines; quoted fields are checked and unquoted here, because Sep's own
/// unescaping accepts text after a closing quote and a quote left open to the end of the file without a word.
/// </summary>
internal static class CsvRecords
{
    /// <summary>Chooses the separator from the header line: a comma, else a semicolon, else a tab (outside quotes), else a comma.</summary>
    public static char DetectSeparator(string header)
    {
        bool comma = false, semicolon = false, tab = false, quoted = false;
        foreach (var c in header)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted)
            {
                comma |= c == ',';
                semicolon |= c == ';';
                tab |= c == '\t';
            }
        }

        return comma ? ',' : semicolon ? ';' : tab ? '\t' : ',';
    }

    public static IEnumerable<RawRecord> Read(string path, Stream stream, char separator, NumberFormatInfo numbers, int maxLineBytes, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(new CheckedUtf8Stream(stream, path, maxLineBytes), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        using var reader = Sep.Reader(o => o with { Sep = new Sep(separator), HasHeader = false, Unescape = false, DisableColCountCheck = true, Trim = SepTrim.None }).From(text);
        string[]? header = null;
        var fields = new List<string>();
        var next = 1;
        foreach (var row in reader)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // A row starts where the previous one ended (Sep 0.18 reports the first row's LineNumberFrom as its end).
            var line = next;
            next = row.LineNumberToExcl;
            if (row.Span.IsWhiteSpace())
            {
                continue;
            }

            if (row.Span.Length > maxLineBytes)
            {
                throw new DataFormatException(new BadRow(path, line, BadRow.WholeRow, string.Create(CultureInfo.InvariantCulture, $"the record is longer than {maxLineBytes} characters (DataReadOptions.MaxLineBytes).")));
            }

            var problem = Split(row, fields);
            if (header is null)
            {
                if (problem is not null)
                {
                    throw new DataFormatException(new BadRow(path, line, BadRow.Header, problem));
                }

                header = [.. fields.Select(f => f.Trim())];
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var name in header)
                {
                    if (name.Length == 0)
                    {
                        throw new DataFormatException(new BadRow(path, line, BadRow.Header, "a column has an empty name."));
                    }

                    if (!seen.Add(name))
                    {
                        throw new DataFormatException(new BadRow(path, line, BadRow.Header, $"column '{name}' appears twice."));
                    }
                }

                var names = new RawRecord(path, line) { IsHeader = true, Numbers = numbers };
                names.Fields.AddRange(header.Select(h => KeyValuePair.Create(h, RawValue.Missing)));
                yield return names;
                continue;
            }

            var record = new RawRecord(path, line) { Numbers = numbers };
            if (problem is not null)
            {
                record.Error = (BadRow.WholeRow, problem);
            }
            else if (fields.Count != header.Length)
            {
                record.Error = (BadRow.WholeRow, $"expected {header.Length} fields as in the header, found {fields.Count}.");
            }
            else
            {
                for (var f = 0; f < fields.Count; f++)
                {
                    var value = fields[f].Trim();
                    record.Fields.Add(KeyValuePair.Create(header[f], value.Length == 0 ? RawValue.Missing : RawValue.FromText(value)));
                }
            }

            yield return record;
        }

        if (header is null)
        {
            throw new DataFormatException(new BadRow(path, 1, BadRow.Header, "the file has no header row."));
        }
    }

    /// <summary>Splits a row into fields, unquoting quoted ones; returns what is wrong with the row, if anything.</summary>
    private static string? Split(SepReader.Row row, List<string> fields)
    {
        fields.Clear();
        for (var i = 0; i < row.ColCount; i++)
        {
            var raw = row[i].Span;
            var trimmed = raw.TrimStart(' ');
            if (trimmed.IsEmpty || trimmed[0] != '"')
            {
                fields.Add(raw.ToString());
                continue;
            }

            var value = new StringBuilder(trimmed.Length);
            var p = 1;
            var closed = false;
            while (p < trimmed.Length)
            {
                if (trimmed[p] == '"')
                {
                    if (p + 1 < trimmed.Length && trimmed[p + 1] == '"')
                    {
                        value.Append('"');
                        p += 2;
                        continue;
                    }

                    closed = true;
                    p++;
                    break;
                }

                value.Append(trimmed[p++]);
            }

            if (!closed)
            {
                return $"field {i + 1} has an unterminated quote (it runs to the end of the file).";
            }

            if (!trimmed[p..].IsWhiteSpace())
            {
                return $"field {i + 1} has text after its closing quote.";
            }

            fields.Add(value.ToString());
        }

        return null;
    }
}
