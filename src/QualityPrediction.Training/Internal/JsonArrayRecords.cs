using System.Text.Json;

namespace QualityPrediction.Training.Internal;

/// <summary>Reads a JSON array of flat records. The document is read whole: a malformed array cannot be resynchronised, so it always fails.</summary>
internal static class JsonArrayRecords
{
    public static IEnumerable<RawRecord> Read(string path, Stream stream, CancellationToken cancellationToken)
    {
        byte[] bytes;
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }

        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        return Parse(path, bytes.AsMemory(start), cancellationToken);
    }

    private static List<RawRecord> Parse(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
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
                    RecordParsers.FillFromObject(record, element.RootElement);
                }
                catch (InvalidOperationException ex)
                {
                    // The reader accepts invalid UTF-8 inside strings; decoding them throws. That is a bad record, not a crash.
                    record.Error = (Data.BadRow.WholeRow, $"the record holds text that is not valid UTF-8: {RecordParsers.FirstSentence(ex.Message)}");
                }
            }
        }
        catch (JsonException ex)
        {
            var at = ex.LineNumber is { } l ? (int)l + 1 : line;
            throw new Data.DataFormatException(new Data.BadRow(path, at, Data.BadRow.WholeRow, $"malformed JSON array: {RecordParsers.FirstSentence(ex.Message)}"), ex);
        }

        return records;
    }
}
