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
    /// <param name="onBadLine">Called with where the line is (<c>line N</c>) and the reason for a line that is not valid JSON or is torn; the line is skipped.</param>
    /// <returns>The line number and parsed document of each good line; the caller disposes the document.</returns>
    public static IEnumerable<(long Line, JsonDocument Document)> ReadLines(string path, Action<string, string> onBadLine)
    {
        long line = 0;
        foreach (var (_, _, document) in ReadLines(path, 0, long.MaxValue, onBadLine, () => line++))
        {
            yield return (line, document);
        }
    }

    /// <summary>
    /// Reads the complete lines of a file between two byte offsets (both at line starts), parsing each as JSON; a torn
    /// last line (no newline yet) is left out silently when <paramref name="end"/> is given, reported otherwise.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="start">The offset of the first line to read.</param>
    /// <param name="end">The offset to stop at (<see cref="long.MaxValue"/> for the end of the file as it is when the read starts).</param>
    /// <param name="onBadLine">Called with where the line is (<c>line N</c> when reading from the start, <c>byte N</c> otherwise) and the reason; the line is skipped.</param>
    /// <param name="onLine">Called for every line read, good or bad, before it is yielded or reported.</param>
    /// <returns>Each good line's start and end offsets (the end is after its newline) and its parsed document; the caller disposes the document.</returns>
    public static IEnumerable<(long Start, long End, JsonDocument Document)> ReadLines(string path, long start, long end, Action<string, string> onBadLine, Action? onLine = null)
    {
        long lineNumber = 0;
        foreach (var (lineStart, lineEnd, line) in ReadRawLines(path, start, end, (where, reason) => onBadLine(where, reason)))
        {
            lineNumber++;
            onLine?.Invoke();
            var document = Parse(line, start == 0 ? $"line {lineNumber}" : $"byte {lineStart}", onBadLine);
            if (document is not null)
            {
                yield return (lineStart, lineEnd, document);
            }
        }
    }

    /// <summary>
    /// Reads the complete lines of a file between two byte offsets without parsing them (the memory of a line is valid
    /// until the next one is read).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="start">The offset of the first line to read.</param>
    /// <param name="end">The offset to stop at (<see cref="long.MaxValue"/> for the end of the file as it is when the read starts).</param>
    /// <param name="onTornTail">Called with where and why when the file (read to its end) ends in a line without a newline.</param>
    /// <returns>Each line's start and end offsets (the end is after its newline) and its bytes (without the newline).</returns>
    public static IEnumerable<(long Start, long End, ReadOnlyMemory<byte> Line)> ReadRawLines(string path, long start, long end, Action<string, string>? onTornTail = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        var length = Math.Min(stream.Length, end);
        if (start >= length)
        {
            yield break;
        }

        stream.Seek(start, SeekOrigin.Begin);
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[64 * 1024];
        long lineNumber = 0;
        var lineStart = start;
        var consumed = start;
        while (consumed < length)
        {
            var read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, length - consumed));
            if (read <= 0)
            {
                break;
            }

            var chunkStart = consumed;
            consumed += read;
            var from = 0;
            while (from < read)
            {
                var index = Array.IndexOf(chunk, NewLine, from, read - from);
                if (index < 0)
                {
                    pending.Write(chunk.AsSpan(from, read - from));
                    break;
                }

                lineNumber++;
                var lineEnd = chunkStart + index + 1;
                ReadOnlyMemory<byte> line;
                if (pending.WrittenCount == 0)
                {
                    line = chunk.AsMemory(from, index - from);
                }
                else
                {
                    pending.Write(chunk.AsSpan(from, index - from));
                    line = pending.WrittenMemory;
                }

                from = index + 1;
                var thisStart = lineStart;
                lineStart = lineEnd;
                yield return (thisStart, lineEnd, line);
                pending.ResetWrittenCount();
            }
        }

        if (pending.WrittenCount > 0 && end == long.MaxValue)
        {
            onTornTail?.Invoke(start == 0 ? $"line {lineNumber + 1}" : $"byte {lineStart}", "the last line is incomplete (no newline): a write was interrupted; the line is skipped");
        }
    }

    /// <summary>Reads the <c>"id"</c> of a feedback record line: fast when the line starts with it (as this library writes), by parsing otherwise.</summary>
    /// <returns><see langword="false"/> for a line that is not a JSON object with a GUID <c>id</c>.</returns>
    public static bool TryReadId(ReadOnlySpan<byte> line, out Guid id)
    {
        ReadOnlySpan<byte> prefix = "{\"id\":\""u8;
        if (line.Length >= prefix.Length + 37 && line.StartsWith(prefix) && line[prefix.Length + 36] == (byte)'"'
            && System.Buffers.Text.Utf8Parser.TryParse(line.Slice(prefix.Length, 36), out id, out var consumed, 'D') && consumed == 36)
        {
            return true;
        }

        try
        {
            var reader = new Utf8JsonReader(line);
            if (JsonDocument.TryParseValue(ref reader, out var document))
            {
                using (document)
                {
                    if (document.RootElement.ValueKind == JsonValueKind.Object
                        && document.RootElement.TryGetProperty("id", out var value)
                        && value.TryGetGuid(out id))
                    {
                        return true;
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        id = Guid.Empty;
        return false;
    }

    /// <summary>Gets the length of a file up to the end of its last complete line (0 when missing).</summary>
    public static long CompleteLength(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            var length = stream.Length;
            var buffer = new byte[4096];
            var position = length;
            while (position > 0)
            {
                var size = (int)Math.Min(buffer.Length, position);
                position -= size;
                stream.Seek(position, SeekOrigin.Begin);
                stream.ReadExactly(buffer, 0, size);
                var last = Array.LastIndexOf(buffer, NewLine, size - 1, size);
                if (last >= 0)
                {
                    return position + last + 1;
                }
            }

            return 0;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>Counts the complete lines between two offsets.</summary>
    public static long CountLines(string path, long start, long end)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        var length = Math.Min(stream.Length, end);
        stream.Seek(start, SeekOrigin.Begin);
        var chunk = new byte[64 * 1024];
        long lines = 0;
        for (var position = start; position < length;)
        {
            var read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, length - position));
            if (read <= 0)
            {
                break;
            }

            lines += chunk.AsSpan(0, read).Count(NewLine);
            position += read;
        }

        return lines;
    }

    /// <summary>Parses one line; a blank line is skipped silently, an invalid one reported.</summary>
    public static JsonDocument? Parse(ReadOnlyMemory<byte> line, string where, Action<string, string> onBadLine)
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
            onBadLine(where, $"not valid JSON ({ex.Message}); the line is skipped");
            return null;
        }
    }
}
