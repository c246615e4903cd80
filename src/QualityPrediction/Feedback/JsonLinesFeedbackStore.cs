using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QualityPrediction.Feedback.Internal;

namespace QualityPrediction.Feedback;

/// <summary>
/// The embedded feedback store: append-only JSON-lines files in a folder, rotated by size.
/// </summary>
/// <remarks>
/// <para>Predictions go to <c>predictions-NNNNNN.jsonl</c> and outcomes to <c>outcomes-NNNNNN.jsonl</c>, one JSON object per
/// line (<see cref="FeedbackJson"/>); a file is closed once it reaches <see cref="JsonLinesFeedbackStoreOptions.MaxFileBytes"/>
/// and the next number is started. Every batch is flushed to disk (fsync) before its write completes.</para>
/// <para>Safe across restarts: a line torn by a crash is terminated when the file is next opened, and readers skip it
/// with a warning, so later lines are never corrupted. Duplicate ids (a batch retried after a failure) are ignored
/// when reading: the first record of an id wins, which makes writes idempotent on the prediction id.</para>
/// <para>One process writes a folder at a time (the current file is opened for exclusive writing); any number may read.
/// Reading loads the predictions into memory: for large volumes use the PostgreSQL store.</para>
/// </remarks>
public sealed class JsonLinesFeedbackStore : IFeedbackStore, IDisposable
{
    private const string PredictionsPrefix = "predictions-";
    private const string OutcomesPrefix = "outcomes-";
    private const string Extension = ".jsonl";

    private readonly JsonLinesFeedbackStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Segment _predictions;
    private readonly Segment _outcomes;
    private int _disposed;

    /// <summary>Creates a store over a folder.</summary>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The folder is empty or <see cref="JsonLinesFeedbackStoreOptions.MaxFileBytes"/> is below 1024.</exception>
    public JsonLinesFeedbackStore(JsonLinesFeedbackStoreOptions options, ILogger<JsonLinesFeedbackStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Folder, nameof(options));
        if (options.MaxFileBytes < 1024)
        {
            throw new ArgumentException($"MaxFileBytes must be at least 1024, not {options.MaxFileBytes}.", nameof(options));
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _predictions = new Segment(PredictionsPrefix);
        _outcomes = new Segment(OutcomesPrefix);
    }

    /// <summary>Gets the folder.</summary>
    public string Folder => _options.Folder;

    /// <inheritdoc />
    public async ValueTask WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        await AppendAsync(_predictions, JsonLinesFile.Serialize(records, FeedbackJson.WritePrediction).WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        await AppendAsync(_outcomes, JsonLinesFile.Serialize(records, FeedbackJson.WriteOutcome).WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>A position is the ordinal of an outcome among the distinct outcomes in file order (1 for the first).</remarks>
    public async IAsyncEnumerable<FeedbackRow> ReadJoinedAsync(long afterPosition = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await Task.Yield();
        var predictions = LoadPredictions(cancellationToken);
        foreach (var (position, outcome) in ReadOutcomes(cancellationToken))
        {
            if (position > afterPosition && predictions.TryGetValue(outcome.PredictionId, out var prediction))
            {
                yield return new FeedbackRow(position, prediction, outcome);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Reads every file once (streamed), keeping only the ids asked for.</remarks>
    public ValueTask<StoredFeedbackIds> FindStoredAsync(IReadOnlyCollection<Guid> predictionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictionIds);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var wanted = predictionIds as IReadOnlySet<Guid> ?? new HashSet<Guid>(predictionIds);
        var predictions = new HashSet<Guid>();
        var outcomes = new HashSet<Guid>();
        if (wanted.Count > 0)
        {
            foreach (var (prefix, found) in new[] { (PredictionsPrefix, predictions), (OutcomesPrefix, outcomes) })
            {
                foreach (var (_, _, element) in ReadAll(prefix, cancellationToken))
                {
                    if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var id) && id.TryGetGuid(out var guid) && wanted.Contains(guid))
                    {
                        found.Add(guid);
                    }
                }
            }
        }

        return ValueTask.FromResult(new StoredFeedbackIds(predictions, outcomes));
    }

    /// <inheritdoc />
    public ValueTask<FeedbackCounts> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var predictions = LoadPredictions(cancellationToken);
        long outcomes = 0, joined = 0;
        foreach (var (_, outcome) in ReadOutcomes(cancellationToken))
        {
            outcomes++;
            if (predictions.ContainsKey(outcome.PredictionId))
            {
                joined++;
            }
        }

        return ValueTask.FromResult(new FeedbackCounts(predictions.Count, outcomes, joined));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var segment in new[] { _predictions, _outcomes })
        {
            segment.Lock.Wait();
            try
            {
                segment.Close();
            }
            finally
            {
                segment.Lock.Release();
            }
        }
    }

    private async ValueTask AppendAsync(Segment segment, ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (lines.IsEmpty)
        {
            return;
        }

        await segment.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (segment.Stream is null)
            {
                Directory.CreateDirectory(_options.Folder);
                segment.Number = Math.Max(1, ListFiles(segment.Prefix).Select(f => f.Number).DefaultIfEmpty(0).Max());
                OpenSegment(segment);
            }
            else if (segment.Stream.Length > 0 && segment.Stream.Length + lines.Length > _options.MaxFileBytes)
            {
                segment.Close();
                segment.Number++;
                OpenSegment(segment);
            }

            var before = segment.Stream!.Length;
            try
            {
                JsonLinesFile.AppendDurably(segment.Stream, lines.Span);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Take back a partial write, so a failed batch is not in the store at all; if even that fails, reopen later
                // (the torn line is then terminated and skipped).
                try
                {
                    segment.Stream.SetLength(before);
                    segment.Stream.Seek(0, SeekOrigin.End);
                }
                catch (Exception truncate) when (truncate is IOException or UnauthorizedAccessException)
                {
                    segment.Close();
                }

                throw;
            }
        }
        finally
        {
            segment.Lock.Release();
        }
    }

    private void OpenSegment(Segment segment)
    {
        var path = FilePath(segment.Prefix, segment.Number);
        var (stream, torn) = JsonLinesFile.OpenForAppend(path);
        if (torn)
        {
            FeedbackLog.TornTail(_logger, path);
        }

        segment.Stream = stream;
    }

    private Dictionary<Guid, PredictionRecord> LoadPredictions(CancellationToken cancellationToken)
    {
        var predictions = new Dictionary<Guid, PredictionRecord>();
        foreach (var (file, line, element) in ReadAll(PredictionsPrefix, cancellationToken))
        {
            var record = Parse(file, line, element, FeedbackJson.ReadPrediction);
            if (record is not null)
            {
                predictions.TryAdd(record.PredictionId, record);
            }
        }

        return predictions;
    }

    private IEnumerable<(long Position, OutcomeRecord Outcome)> ReadOutcomes(CancellationToken cancellationToken)
    {
        var seen = new HashSet<Guid>();
        long position = 0;
        foreach (var (file, line, element) in ReadAll(OutcomesPrefix, cancellationToken))
        {
            var record = Parse(file, line, element, FeedbackJson.ReadOutcome);
            if (record is not null && seen.Add(record.PredictionId))
            {
                yield return (++position, record);
            }
        }
    }

    private T? Parse<T>(string file, long line, JsonElement element, Func<JsonElement, T> read)
        where T : class
    {
        try
        {
            return read(element);
        }
        catch (FormatException ex)
        {
            FeedbackLog.BadLine(_logger, file, $"line {line}", ex.Message);
            return null;
        }
    }

    private IEnumerable<(string File, long Line, JsonElement Element)> ReadAll(string prefix, CancellationToken cancellationToken)
    {
        foreach (var (path, _) in ListFiles(prefix))
        {
            IEnumerable<(long Line, JsonDocument Document)> lines;
            try
            {
                lines = JsonLinesFile.ReadLines(path, (line, reason) => FeedbackLog.BadLine(_logger, path, line, reason));
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            foreach (var (line, document) in lines)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using (document)
                {
                    yield return (path, line, document.RootElement);
                }
            }
        }
    }

    private IEnumerable<(string Path, int Number)> ListFiles(string prefix)
    {
        if (!Directory.Exists(_options.Folder))
        {
            return [];
        }

        var files = new List<(string, int)>();
        foreach (var path in Directory.EnumerateFiles(_options.Folder, prefix + "*" + Extension))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                files.Add((path, number));
            }
        }

        files.Sort((a, b) => a.Item2.CompareTo(b.Item2));
        return files;
    }

    private string FilePath(string prefix, int number) =>
        Path.Combine(_options.Folder, prefix + number.ToString("D6", CultureInfo.InvariantCulture) + Extension);

    private sealed class Segment(string prefix)
    {
        public string Prefix { get; } = prefix;

        public SemaphoreSlim Lock { get; } = new(1, 1);

        public FileStream? Stream { get; set; }

        public int Number { get; set; }

        public void Close()
        {
            Stream?.Dispose();
            Stream = null;
        }
    }
}
