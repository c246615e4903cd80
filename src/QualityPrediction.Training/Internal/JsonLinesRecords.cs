using System.Text.Json;

namespace QualityPrediction.Training.Internal;

/// <summary>Reads JSON lines, one flat object per line, streaming: one line at a time, each checked for length and UTF-8 before it is parsed.</summary>
internal static class JsonLinesRecords
{
    public static IEnumerable<RawRecord> Read(string path, Stream stream, int maxLineBytes, CancellationToken cancellationToken)
    {
        var lines = new Utf8Lines(stream, maxLineBytes);
        while (lines.TryRead(out var line, out var problem))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (problem is null && line.Span.Trim(" \t"u8).IsEmpty)
            {
                continue;
            }

            var record = new RawRecord(path, lines.LineNumber);
            if (problem is not null)
            {
                record.Error = (Data.BadRow.WholeRow, problem);
                yield return record;
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 64 });
                RecordParsers.FillFromObject(record, document.RootElement);
            }
            catch (JsonException ex)
            {
                record.Error = (Data.BadRow.WholeRow, $"malformed JSON: {RecordParsers.FirstSentence(ex.Message)}");
            }

            yield return record;
        }
    }
}
