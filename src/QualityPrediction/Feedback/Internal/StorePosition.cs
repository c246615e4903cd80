using System.Text.Json;

namespace QualityPrediction.Feedback.Internal;

/// <summary>
/// A position of the embedded store: for each data file, the bytes up to the end of its last complete line. Its text
/// form is a JSON object <c>{"files":{"predictions-…-000001.jsonl":12345,…}}</c>.
/// </summary>
internal sealed class StorePosition
{
    private StorePosition(Dictionary<string, long> files) => Files = files;

    public Dictionary<string, long> Files { get; }

    public static StorePosition Empty => new(new Dictionary<string, long>(StringComparer.Ordinal));

    public static StorePosition Of(IEnumerable<StoreFile> files)
    {
        var position = Empty;
        foreach (var file in files)
        {
            position.Files[file.Name] = JsonLinesFile.CompleteLength(file.Path);
        }

        return position;
    }

    /// <summary>The offset a file is read to at this position (0 for a file it does not know).</summary>
    public long this[string name] => Files.TryGetValue(name, out var offset) ? offset : 0;

    /// <exception cref="FormatException">The text is not a position of the embedded store.</exception>
    public static StorePosition Parse(string? text, string parameter)
    {
        if (text is null)
        {
            return Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var files = document.RootElement.GetProperty("files");
            var position = Empty;
            foreach (var file in files.EnumerateObject())
            {
                var offset = file.Value.GetInt64();
                if (offset < 0 || StoreFile.TryParse(file.Name) is null)
                {
                    throw new FormatException($"entry '{file.Name}': {offset}");
                }

                position.Files[file.Name] = offset;
            }

            return position;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"'{Shorten(text)}' ({parameter}) is not a position of the embedded feedback store (a JSON object of files and offsets): {ex.Message}. Was the dataset collected from another store, or by an earlier version (whose positions were numbers)? Collect into a new file.", ex);
        }
    }

    public string Format()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("files");
            foreach (var (name, offset) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(name, offset);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
