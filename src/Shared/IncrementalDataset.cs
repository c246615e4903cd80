using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace QualityPrediction.Feedback;

/// <summary>
/// A training dataset in JSON lines (one flat record per line) that grows incrementally: a watermark file beside it
/// (<c>OUTPUT.watermark.json</c>) records how far the source was read and how many bytes of the output were committed.
/// </summary>
/// <remarks>
/// <para>Rows are appended and become part of the dataset only at <see cref="CommitAsync"/>, which flushes the output to disk
/// and then replaces the watermark file atomically. Rows appended after the last commit (a run that crashed) are cut
/// off when the dataset is next opened, so a rerun neither loses nor repeats rows.</para>
/// <para>The watermark also names the source; opening a dataset with a different source is an error, so two sources
/// cannot interleave in one file by mistake.</para>
/// <para>Opened with key tracking, the dataset also keeps the key of every row it holds in <c>OUTPUT.keys</c> (one JSON
/// string per line, committed with the rows), so a source that may show a row again (a row changed after it was collected,
/// or read again after a failed run) appends it once: <see cref="IsCollected"/>. Not thread-safe.</para>
/// </remarks>
internal sealed class IncrementalDataset : IAsyncDisposable
{
    /// <summary>The suffix of the watermark file.</summary>
    public const string WatermarkSuffix = ".watermark.json";

    /// <summary>The suffix of the keys file of a dataset opened with key tracking.</summary>
    public const string KeysSuffix = ".keys";

    private readonly FileStream _output;
    private readonly FileStream? _keysFile;
    private readonly HashSet<string>? _keys;
    private readonly List<string> _pendingKeys = [];
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Utf8JsonWriter _json;
    private long _committedRows;
    private long _pendingRows;

    private IncrementalDataset(string outputPath, string source, FileStream output, string? watermark, long rows, FileStream? keysFile, HashSet<string>? keys)
    {
        OutputPath = outputPath;
        Source = source;
        _output = output;
        _keysFile = keysFile;
        _keys = keys;
        Watermark = watermark;
        _committedRows = rows;
        _json = new Utf8JsonWriter(_buffer);
    }

    /// <summary>Gets the output path.</summary>
    public string OutputPath { get; }

    /// <summary>Gets the source description recorded in the watermark.</summary>
    public string Source { get; }

    /// <summary>Gets the last committed watermark; <see langword="null"/> before the first commit (read everything).</summary>
    public string? Watermark { get; private set; }

    /// <summary>Gets the rows in the dataset, committed ones only.</summary>
    public long Rows => _committedRows;

    /// <summary>Gets the rows appended since the last commit.</summary>
    public long PendingRows => _pendingRows;

    /// <summary>Opens (or creates) a dataset and its watermark.</summary>
    /// <param name="outputPath">The JSON-lines output file.</param>
    /// <param name="source">Describes the source (e.g. <c>feedback:quality_outcomes</c> or a table name); must match the watermark's.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentException">A path or the source is empty.</exception>
    /// <exception cref="InvalidDataException">The watermark file is malformed, was written for another source, or records more bytes than the output holds.</exception>
    public static IncrementalDataset Open(string outputPath, string source) => Open(outputPath, source, trackKeys: false);

    /// <summary>Opens (or creates) a dataset and its watermark, optionally with the keys of its rows.</summary>
    /// <param name="outputPath">The JSON-lines output file.</param>
    /// <param name="source">Describes the source; must match the watermark's.</param>
    /// <param name="trackKeys">Whether rows carry keys (see <see cref="IsCollected"/>), kept in <c>OUTPUT.keys</c>.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentException">A path or the source is empty.</exception>
    /// <exception cref="InvalidDataException">The watermark or keys file is malformed, was written for another source, or records more bytes than the files hold.</exception>
    public static IncrementalDataset Open(string outputPath, string source, bool trackKeys)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var watermarkPath = outputPath + WatermarkSuffix;
        string? watermark = null;
        long bytes = 0, rows = 0, keyBytes = 0;
        if (File.Exists(watermarkPath))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(watermarkPath));
                var root = document.RootElement;
                var recorded = root.GetProperty("source").GetString();
                if (!string.Equals(recorded, source, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"Watermark file '{watermarkPath}' was written for source '{recorded}', not '{source}'; use another output file or delete the watermark to start over.");
                }

                watermark = root.GetProperty("watermark").GetString();
                bytes = root.GetProperty("bytes").GetInt64();
                rows = root.GetProperty("rows").GetInt64();
                keyBytes = root.TryGetProperty("keyBytes", out var keyBytesElement) ? keyBytesElement.GetInt64() : 0;
                if (trackKeys && rows > 0 && !root.TryGetProperty("keyBytes", out _))
                {
                    throw new InvalidDataException($"Watermark file '{watermarkPath}' records no keys, but this source needs the key of every collected row; collect into a new file.");
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"Watermark file '{watermarkPath}' is malformed: {ex.Message}", ex);
            }
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var output = new FileStream(outputPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var length = output.Length;
        if (length < bytes)
        {
            output.Dispose();
            throw new InvalidDataException($"Dataset '{outputPath}' holds {length} bytes but its watermark '{watermarkPath}' records {bytes}; the file was changed by hand. Delete the watermark to collect again from the start.");
        }

        if (watermark is null && bytes == 0 && length > 0)
        {
            output.Dispose();
            throw new InvalidDataException($"Dataset '{outputPath}' already exists without a watermark; collect into a new file, or delete it to start over.");
        }

        // Cut off rows appended after the last commit (an interrupted run).
        output.SetLength(bytes);
        output.Seek(0, SeekOrigin.End);
        if (!trackKeys)
        {
            return new IncrementalDataset(outputPath, source, output, watermark, rows, null, null);
        }

        try
        {
            var (keysFile, keys) = OpenKeys(outputPath + KeysSuffix, keyBytes);
            return new IncrementalDataset(outputPath, source, output, watermark, rows, keysFile, keys);
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>Opens the keys file, cut to its committed length, and reads its keys.</summary>
    private static (FileStream File, HashSet<string> Keys) OpenKeys(string path, long committed)
    {
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            if (file.Length < committed)
            {
                throw new InvalidDataException($"Keys file '{path}' holds {file.Length} bytes but the watermark records {committed}; the file was changed by hand. Delete the dataset, its watermark and its keys to collect again from the start.");
            }

            file.SetLength(committed);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            file.Seek(0, SeekOrigin.Begin);
            using (var reader = new StreamReader(file, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true))
            {
                var line = 0;
                while (reader.ReadLine() is { } text)
                {
                    line++;
                    try
                    {
                        var reader2 = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
                        keys.Add(reader2.Read() && reader2.TokenType == JsonTokenType.String ? reader2.GetString()! : throw new JsonException("not a string"));
                    }
                    catch (JsonException ex)
                    {
                        throw new InvalidDataException($"Keys file '{path}' line {line} is not a JSON string: {ex.Message}", ex);
                    }
                }
            }

            file.Seek(0, SeekOrigin.End);
            return (file, keys);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Whether a row with this key is in the dataset (committed, or appended since the last commit).</summary>
    /// <param name="key">The row's key.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    /// <exception cref="InvalidOperationException">The dataset was opened without key tracking.</exception>
    public bool IsCollected(string key) =>
        (_keys ?? throw new InvalidOperationException("The dataset was opened without key tracking.")).Contains(key);

    /// <summary>Adds one row with its key (the dataset must track keys); a key already collected is an error, check <see cref="IsCollected"/> first.</summary>
    /// <param name="key">The row's key in its source.</param>
    /// <param name="features">The features.</param>
    /// <param name="targetName">The name of the target column.</param>
    /// <param name="target">The observed target.</param>
    /// <exception cref="InvalidOperationException">The dataset was opened without key tracking, or the key is collected already.</exception>
    /// <exception cref="ArgumentException">The target is NaN or infinite, or a feature has the target's name.</exception>
    public void Append(string key, IReadOnlyDictionary<string, FeatureValue> features, string targetName, double target)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keys = _keys ?? throw new InvalidOperationException("The dataset was opened without key tracking.");
        if (keys.Contains(key))
        {
            throw new InvalidOperationException($"A row with key '{key}' is in the dataset already.");
        }

        Append(features, targetName, target, selectionProbability: null);
        keys.Add(key);
        _pendingKeys.Add(key);
    }

    /// <summary>Appends one flat record: the features, then the target.</summary>
    /// <param name="features">The features.</param>
    /// <param name="targetName">The target column name (e.g. <c>quality</c>).</param>
    /// <param name="target">The target value.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The target is NaN or infinite, or a feature has the target's name.</exception>
    public void Append(IReadOnlyDictionary<string, FeatureValue> features, string targetName, double target) =>
        Append(features, targetName, target, selectionProbability: null);

    /// <summary>Adds one row, with the probability with which a ranking policy chose the prediction (for inverse-propensity weighting).</summary>
    /// <param name="features">The features.</param>
    /// <param name="targetName">The name of the target column.</param>
    /// <param name="target">The observed target.</param>
    /// <param name="selectionProbability">When not <see langword="null"/>, written as the <see cref="FeedbackCollector.SelectionProbabilityColumn"/> column (train with <c>--propensity selectionProbability</c>).</param>
    /// <exception cref="ArgumentException">The target is NaN or infinite, or a feature has the target's name.</exception>
    public void Append(IReadOnlyDictionary<string, FeatureValue> features, string targetName, double target, double? selectionProbability)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetName);
        if (!double.IsFinite(target))
        {
            throw new ArgumentException($"The target '{targetName}' must be a finite number, not {target.ToString(CultureInfo.InvariantCulture)}.", nameof(target));
        }

        if (features.ContainsKey(targetName))
        {
            throw new ArgumentException($"A feature is named '{targetName}', like the target; rename the target.", nameof(features));
        }

        _json.Reset();
        _json.WriteStartObject();
        foreach (var (name, value) in features)
        {
            if (value.Category is { } category)
            {
                _json.WriteString(name, category);
            }
            else
            {
                _json.WriteNumber(name, value.Number);
            }
        }

        if (selectionProbability is { } probability && double.IsFinite(probability) && !features.ContainsKey(FeedbackCollector.SelectionProbabilityColumn))
        {
            _json.WriteNumber(FeedbackCollector.SelectionProbabilityColumn, probability);
        }

        _json.WriteNumber(targetName, target);
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n"u8);
        _pendingRows++;
        if (_buffer.WrittenCount >= 1 << 20)
        {
            _output.Write(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }
    }

    /// <summary>Makes the appended rows part of the dataset and records the new watermark.</summary>
    /// <param name="watermark">How far the source was read (opaque to this class).</param>
    /// <param name="cancellationToken">Cancels the commit (before the watermark is replaced).</param>
    /// <returns>A task that completes when the rows and the watermark are on disk.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="watermark"/> is <see langword="null"/>.</exception>
    public async Task CommitAsync(string watermark, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watermark);
        await _output.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _buffer.ResetWrittenCount();
        _output.Flush(flushToDisk: true);
        if (_keysFile is not null && _pendingKeys.Count > 0)
        {
            var lines = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(lines))
            {
                foreach (var key in _pendingKeys)
                {
                    writer.WriteStringValue(key);
                    writer.Flush();
                    writer.Reset();
                    lines.Write("\n"u8);
                }
            }

            await _keysFile.WriteAsync(lines.WrittenMemory, cancellationToken).ConfigureAwait(false);
            _keysFile.Flush(flushToDisk: true);
        }

        cancellationToken.ThrowIfCancellationRequested();

        var rows = _committedRows + _pendingRows;
        var watermarkPath = OutputPath + WatermarkSuffix;
        var temp = watermarkPath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("source", Source);
                writer.WriteString("watermark", watermark);
                writer.WriteNumber("rows", rows);
                writer.WriteNumber("bytes", _output.Length);
                if (_keysFile is not null)
                {
                    writer.WriteNumber("keyBytes", _keysFile.Length);
                }

                writer.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, watermarkPath, overwrite: true);
        Watermark = watermark;
        _committedRows = rows;
        _pendingRows = 0;
        _pendingKeys.Clear();
    }

    /// <summary>Closes the output; rows appended since the last commit are not kept.</summary>
    /// <returns>A task that completes when the file is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync().ConfigureAwait(false);
        await _output.DisposeAsync().ConfigureAwait(false);
        if (_keysFile is not null)
        {
            await _keysFile.DisposeAsync().ConfigureAwait(false);
        }
    }
}
