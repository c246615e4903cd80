using System.Runtime.CompilerServices;
using System.Text.Json;
using QualityPrediction.Feedback.Internal;

namespace QualityPrediction.Feedback;

/// <summary>Positions, reads and counts of the embedded store.</summary>
public sealed partial class JsonLinesFeedbackStore
{
    /// <inheritdoc />
    /// <remarks>The position is every data file's length up to its last complete line. Writers only append, and a line
    /// counts once it is complete, so a row is complete at a position exactly when both its lines lie before the
    /// position's offsets.</remarks>
    public ValueTask<string> GetPositionAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ValueTask.FromResult(StorePosition.Of(StoreFile.List(_options.Folder)).Format());
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>Reads the lines between the two positions, keeping their records in memory, then the lines before
    /// <paramref name="after"/> once more, streamed, to find the other halves of those rows (an outcome may come long
    /// after its prediction, or before it). A row is returned when both halves are there by <paramref name="upTo"/> and
    /// were not both there by <paramref name="after"/>. Memory is proportional to the records written between the two
    /// positions.</para>
    /// <para>A file the <paramref name="after"/> position knows but that is gone was deleted by retention after it was
    /// collected.</para>
    /// </remarks>
    /// <exception cref="FormatException">A position is not one of this store's (or <paramref name="upTo"/> is before <paramref name="after"/>).</exception>
    public async IAsyncEnumerable<FeedbackRow> ReadJoinedAsync(string? after = null, string? upTo = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await Task.Yield();
        var from = StorePosition.Parse(after, nameof(after));
        var files = StoreFile.List(_options.Folder);
        var to = upTo is null ? StorePosition.Of(files) : StorePosition.Parse(upTo, nameof(upTo));

        // 1. The records written between the two positions (first of each id).
        var newPredictions = new Dictionary<Guid, PredictionRecord>();
        var newOutcomes = new Dictionary<Guid, OutcomeRecord>();
        foreach (var file in files)
        {
            var start = from[file.Name];
            var end = to[file.Name];
            if (end < start)
            {
                throw new FormatException($"Position '{nameof(upTo)}' is before '{nameof(after)}' for file '{file.Name}' ({end} < {start}).");
            }

            foreach (var record in ReadRecords(file, start, end, cancellationToken))
            {
                if (record.Prediction is { } prediction)
                {
                    newPredictions.TryAdd(prediction.PredictionId, prediction);
                }
                else if (record.Outcome is { } outcome)
                {
                    newOutcomes.TryAdd(outcome.PredictionId, outcome);
                }
            }
        }

        if (newPredictions.Count == 0 && newOutcomes.Count == 0)
        {
            yield break;
        }

        // 2. The halves of those rows written before 'after': an old outcome for a new prediction and the reverse.
        var oldPredictions = new Dictionary<Guid, PredictionRecord>();
        var oldOutcomes = new Dictionary<Guid, OutcomeRecord>();
        var oldPredictionIds = new HashSet<Guid>();
        var oldOutcomeIds = new HashSet<Guid>();
        foreach (var file in files)
        {
            var end = Math.Min(from[file.Name], to[file.Name]);
            if (end == 0)
            {
                continue;
            }

            foreach (var (lineStart, _, line) in JsonLinesFile.ReadRawLines(file.Path, 0, end))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!JsonLinesFile.TryReadId(line.Span, out var id) || !(newPredictions.ContainsKey(id) || newOutcomes.ContainsKey(id)))
                {
                    continue;
                }

                if (file.Outcomes)
                {
                    if (oldOutcomeIds.Add(id) && Parse(file, line, lineStart, FeedbackJson.ReadOutcome) is { } outcome)
                    {
                        oldOutcomes[id] = outcome;
                    }
                }
                else if (oldPredictionIds.Add(id) && Parse(file, line, lineStart, FeedbackJson.ReadPrediction) is { } prediction)
                {
                    oldPredictions[id] = prediction;
                }
            }
        }

        // 3. The rows complete now but not before: in the order their outcomes were read, then those completed by a prediction.
        foreach (var (id, newOutcome) in newOutcomes)
        {
            if (!(oldPredictionIds.Contains(id) && oldOutcomeIds.Contains(id))
                && (oldPredictions.GetValueOrDefault(id) ?? newPredictions.GetValueOrDefault(id)) is { } prediction)
            {
                yield return new FeedbackRow(prediction, oldOutcomes.GetValueOrDefault(id) ?? newOutcome);
            }
        }

        foreach (var (id, newPrediction) in newPredictions)
        {
            if (!newOutcomes.ContainsKey(id) && oldOutcomes.TryGetValue(id, out var outcome) && !oldPredictionIds.Contains(id))
            {
                yield return new FeedbackRow(oldPredictions.GetValueOrDefault(id) ?? newPrediction, outcome);
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
            foreach (var file in StoreFile.List(_options.Folder))
            {
                foreach (var (_, _, line) in JsonLinesFile.ReadRawLines(file.Path, 0, long.MaxValue))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (JsonLinesFile.TryReadId(line.Span, out var id) && wanted.Contains(id))
                    {
                        (file.Outcomes ? outcomes : predictions).Add(id);
                    }
                }
            }
        }

        return ValueTask.FromResult(new StoredFeedbackIds(predictions, outcomes));
    }

    /// <inheritdoc />
    /// <remarks>Streams every file once, keeping only the ids (about 40 bytes a record).</remarks>
    public ValueTask<FeedbackCounts> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var predictions = new HashSet<Guid>();
        var outcomes = new HashSet<Guid>();
        foreach (var file in StoreFile.List(_options.Folder))
        {
            var ids = file.Outcomes ? outcomes : predictions;
            foreach (var (_, _, line) in JsonLinesFile.ReadRawLines(file.Path, 0, JsonLinesFile.CompleteLength(file.Path)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (JsonLinesFile.TryReadId(line.Span, out var id))
                {
                    ids.Add(id);
                }
            }
        }

        var joined = outcomes.Count(predictions.Contains);
        return ValueTask.FromResult(new FeedbackCounts(predictions.Count, outcomes.Count, joined));
    }

    /// <summary>Counts the rows complete by now that come after a position (e.g. a dataset's watermark): the rows its next collection appends.</summary>
    /// <param name="after">The position; <see langword="null"/> for all rows.</param>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The number of rows.</returns>
    /// <exception cref="FormatException"><paramref name="after"/> is not a position of this store.</exception>
    public async ValueTask<long> CountAfterAsync(string? after, CancellationToken cancellationToken = default)
    {
        long count = 0;
        await foreach (var _ in ReadJoinedAsync(after, null, cancellationToken).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    /// <summary>The records of a file between two offsets; a line that is not a record is logged and skipped.</summary>
    private IEnumerable<(PredictionRecord? Prediction, OutcomeRecord? Outcome)> ReadRecords(StoreFile file, long start, long end, CancellationToken cancellationToken)
    {
        if (end <= start)
        {
            yield break;
        }

        IEnumerable<(long Start, long End, ReadOnlyMemory<byte> Line)> lines;
        try
        {
            lines = JsonLinesFile.ReadRawLines(file.Path, start, end);
        }
        catch (FileNotFoundException)
        {
            yield break;
        }

        foreach (var (lineStart, _, line) in lines)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Outcomes)
            {
                if (Parse(file, line, lineStart, FeedbackJson.ReadOutcome) is { } outcome)
                {
                    yield return (null, outcome);
                }
            }
            else if (Parse(file, line, lineStart, FeedbackJson.ReadPrediction) is { } prediction)
            {
                yield return (prediction, null);
            }
        }
    }

    private T? Parse<T>(StoreFile file, ReadOnlyMemory<byte> line, long offset, Func<JsonElement, T> read)
        where T : class
    {
        var where = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"at byte {offset}");
        using var document = JsonLinesFile.Parse(line, where, (at, reason) => FeedbackLog.BadLine(_logger, file.Path, at, reason));
        if (document is null)
        {
            return null;
        }

        try
        {
            return read(document.RootElement);
        }
        catch (FormatException ex)
        {
            FeedbackLog.BadLine(_logger, file.Path, where, ex.Message);
            return null;
        }
    }
}
