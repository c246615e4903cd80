using System.Text;
using QualityPrediction.Training.Data;

namespace QualityPrediction.Training.Internal;

/// <summary>Opens a data file after checking it is one (not a folder, a pipe or a device), and tells its format from its name and first bytes.</summary>
internal static class DataFile
{
    private const int PeekBytes = 64 * 1024;

    /// <summary>Opens a data file for sequential reading, positioned at its start.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The path is a folder, or the file is empty (pipes and devices report no length).</exception>
    public static FileStream Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new DataFormatException(new BadRow(path, 0, BadRow.WholeFile, "the path is a folder, not a file; pass the data files inside it."));
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }

        if (info.Length == 0)
        {
            throw new DataFormatException(new BadRow(path, 1, BadRow.WholeRow, "the file is empty (or not a regular file, such as a pipe or a device)."));
        }

        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(new BadRow(path, 0, BadRow.WholeFile, $"the file cannot be opened: {ex.Message}"), ex);
        }
    }

    /// <summary>Tells the format: by extension (<c>.csv</c>; <c>.json</c>, <c>.jsonl</c>, <c>.ndjson</c>), else by the first character that is not white space (<c>[</c> or <c>{</c> is JSON).</summary>
    /// <returns>The format, and the first line of the file for CSV (its header, to choose the separator).</returns>
    /// <exception cref="DataFormatException">The file holds only white space.</exception>
    public static (DataFileKind Kind, string FirstLine) Detect(string path, Stream stream)
    {
        var buffer = new byte[PeekBytes];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        stream.Position = 0;
        var span = buffer.AsSpan(0, read);
        var start = span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var first = start;
        while (first < span.Length && span[first] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            first++;
        }

        if (first == span.Length && read < buffer.Length)
        {
            throw new DataFormatException(new BadRow(path, 1, BadRow.WholeRow, "the file is empty."));
        }

        var extension = Path.GetExtension(path).ToLowerInvariant();
        var looksJson = first < span.Length && span[first] is (byte)'[' or (byte)'{';
        if (extension == ".csv" || (!looksJson && extension is not ".json" and not ".jsonl" and not ".ndjson"))
        {
            var end = span[first..].IndexOf((byte)'\n');
            var line = end < 0 ? span[first..] : span.Slice(first, end);
            return (DataFileKind.Csv, Encoding.UTF8.GetString(line).TrimEnd('\r'));
        }

        return (first < span.Length && span[first] == (byte)'[' ? DataFileKind.JsonArray : DataFileKind.JsonLines, "");
    }
}
