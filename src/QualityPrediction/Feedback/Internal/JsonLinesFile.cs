using System.Buffers;
using System.Text.Json;

namespace QualityPrediction.Feedback.Internal;

/// <summary>Append-only JSON-lines file helpers: durable appends and tolerant reads.</summary>
internal static class JsonLinesFile
{
    private const byte NewLine = (byte)'\n';

    /// <summary>Opens a file for appending, exclusively for writing; a torn last line (no trailing newline) is terminated so later lines stay intact.</summary>
    /// <returns>The stream, positioned at the end, and whether a torn line was found.</returns>
    public static (FileStream Stream, bool Torn) OpenForAppend(string path)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1, FileOptions.None);
        var torn = false;
        try
        {
            if (stream.Length > 0)
            {
                stream.Seek(-1, SeekOrigin.End);
                if (stream.ReadByte() != NewLine)
                {
                    torn = true;
                    stream.Seek(0, SeekOrigin.End);
                    stream.WriteByte(NewLine);
                    stream.Flush(flushToDisk: true);
                }
            }

            stream.Seek(0, SeekOrigin.End);
            return (stream, torn);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends bytes (whole lines) and flushes them to disk (fsync).</summary>
    public static void AppendDurably(FileStream stream, ReadOnlySpan<byte> lines)
    {
        stream.Write(lines);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Serializes one record per line into a buffer.</summary>
    public static ArrayBufferWriter<byte> Serialize<T>(IEnumerable<T> records, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        foreach (var record in records)
        {
            write(writer, record);
            writer.Flush();
            writer.Reset();
            buffer.Write([NewLine]);
        }

        return buffer;
    }

    /// <summary>Reads the complete lines of a file (while it may be appended to), parsing each as JSON.</summary>
    /// <param name="path">The file.</param>
    /// <param name="onBadLine">Called with the line number and the reason for a line that is not valid JSON or is torn; the line is skipped.</param>
    /// <returns>The line number and parsed document of each good line; the caller disposes the document.</returns>
    public static IEnumerable<(long Line, JsonDocument Document)> ReadLines(string path, Action<long, string> onBadLine)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 64 * 1024);
        var length = stream.Length;
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[64 * 1024];
        long lineNumber = 0;
        long consumed = 0;
        while (consumed < length)
        {
            var read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, length - consumed));
            if (read <= 0)
            {
                break;
            }

            consumed += read;
            var start = 0;
            while (start < read)
            {
                var index = Array.IndexOf(chunk, NewLine, start, read - start);
                if (index < 0)
                {
                    pending.Write(chunk.AsSpan(start, read - start));
                    break;
                }

                pending.Write(chunk.AsSpan(start, index - start));
                start = index + 1;
                lineNumber++;
                var document = Parse(pending.WrittenMemory, lineNumber, onBadLine);
                pending.ResetWrittenCount();
                if (document is not null)
                {
                    yield return (lineNumber, document);
                }
            }
        }

        if (pending.WrittenCount > 0)
        {
            onBadLine(lineNumber + 1, "the last line is incomplete (no newline): a write was interrupted; the line is skipped");
        }
    }

    private static JsonDocument? Parse(ReadOnlyMemory<byte> line, long lineNumber, Action<long, string> onBadLine)
    {
        if (line.Span.Trim((byte)' ').Trim((byte)'\r').IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException ex)
        {
            onBadLine(lineNumber, $"not valid JSON ({ex.Message}); the line is skipped");
            return null;
        }
    }
}
