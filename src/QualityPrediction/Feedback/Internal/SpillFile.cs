using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace QualityPrediction.Feedback.Internal;

/// <summary>
/// The local files that keep records while the store fails, safe for several writers (processes) sharing one folder.
/// </summary>
/// <remarks>
/// <para>Each writer owns a <em>set</em> named by an id unique to it (start time, process id, a random part):
/// <c>feedback-spill-ID.lock</c> (held open with an exclusive lock for the writer's lifetime),
/// <c>feedback-spill-ID-NNNNNN.jsonl</c> (segments, appended in queue order and fsynced; a new segment starts when the
/// current one passes a size) and <c>feedback-spill-ID.progress</c> (how far the set has been replayed). A line is
/// <c>{"prediction":{…}}</c> or <c>{"outcome":{…}}</c>, with <c>"unconfirmed":true</c> when the store may have
/// written the record before it failed.</para>
/// <para>Replay resumes where it stopped: before a batch is written to the store its end is recorded as "in flight",
/// after it is written as done (each fsynced and renamed into place). A batch in flight when the process died, and
/// unconfirmed records, are checked against the store (<see cref="IFeedbackStore.FindStoredAsync"/>) before they are
/// written again, so nothing is written twice. Fully replayed segments are deleted.</para>
/// <para>A set whose lock nobody holds belongs to a writer that died: the next writer to start in the folder adopts it
/// (takes its lock, counts it in the backlog, replays it first). A <c>feedback-spill.jsonl</c> of an earlier version is
/// adopted the same way once no process has it open. Used by one thread (the writer's loop).</para>
/// </remarks>
internal sealed class SpillFile : IDisposable
{
    private const string Prefix = "feedback-spill";
    private const string LegacyName = "feedback-spill.jsonl";

    private readonly ILogger _logger;
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly List<SpillSet> _adopted = [];
    private readonly SpillSet _own;
    private FileStream? _append;

    public SpillFile(string folder, long maxBytes, TimeProvider timeProvider, ILogger logger)
    {
        Folder = folder;
        _logger = logger;
        _maxBytes = maxBytes;
        _segmentBytes = Math.Max(64 * 1024, maxBytes / 8);
        _own = new SpillSet(folder, NewId(timeProvider), legacy: false);
        Adopt();
        foreach (var set in _adopted)
        {
            Backlog += set.CountPending(out var bytes);
            PendingBytes += bytes;
        }

        if (Backlog > 0)
        {
            FeedbackLog.SpillFound(logger, string.Join(", ", _adopted.SelectMany(s => s.SegmentPaths()).Select(System.IO.Path.GetFileName)), Backlog);
        }
    }

    public string Folder { get; }

    /// <summary>Gets the path of the segment this writer appends to now (it may not exist yet).</summary>
    public string Path => _own.SegmentPath(_own.AppendSegment);

    /// <summary>Gets the number of records waiting in the files (this writer's and adopted ones).</summary>
    public long Backlog { get; private set; }

    /// <summary>Gets the bytes waiting to be replayed.</summary>
    public long PendingBytes { get; private set; }

    public bool HasPending => Backlog > 0;

    /// <summary>Appends records in queue order, fsynced.</summary>
    /// <returns><see langword="false"/> when they do not fit under the size cap (nothing is written).</returns>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public bool Append(IReadOnlyList<PredictionRecord> predictions, IReadOnlyList<OutcomeRecord> outcomes, bool unconfirmed)
    {
        var items = new List<(FeedbackItem Item, bool Unconfirmed)>(predictions.Count + outcomes.Count);
        items.AddRange(predictions.Select(p => (new FeedbackItem { Prediction = p }, unconfirmed)));
        items.AddRange(outcomes.Select(o => (new FeedbackItem { Outcome = o }, unconfirmed)));
        var buffer = JsonLinesFile.Serialize(items, WriteItem);
        if (PendingBytes + buffer.WrittenCount > _maxBytes)
        {
            return false;
        }

        if (_append is null)
        {
            Directory.CreateDirectory(Folder);
            _own.EnsureLocked();
            var (stream, torn) = JsonLinesFile.OpenForAppend(Path);
            if (torn)
            {
                FeedbackLog.TornTail(_logger, Path);
            }

            _append = stream;
        }
        else if (_append.Length > 0 && _append.Length + buffer.WrittenCount > _segmentBytes)
        {
            _append.Dispose();
            _append = null;
            _own.AppendSegment++;
            var (stream, _) = JsonLinesFile.OpenForAppend(Path);
            _append = stream;
        }

        var before = _append.Length;
        try
        {
            JsonLinesFile.AppendDurably(_append, buffer.WrittenSpan);
        }
        catch
        {
            TryTruncate(_append, before);
            throw;
        }

        Backlog += items.Count;
        PendingBytes += buffer.WrittenCount;
        return true;
    }

    /// <summary>Reads the waiting records from where replay stopped, adopted sets first, in chunks of at most <paramref name="batchSize"/> records from one segment.</summary>
    public IEnumerable<SpillBatch> Read(int batchSize)
    {
        foreach (var set in _adopted.Append(_own).ToList())
        {
            foreach (var segment in set.PendingSegments())
            {
                var path = set.SegmentPath(segment);
                var inFlight = set.Progress.InFlight == long.MaxValue ? long.MaxValue : set.Progress.Segment == segment ? set.Progress.InFlight : null;
                var start = set.Progress.Segment == segment ? set.Progress.Offset : 0;
                var batch = new SpillBatch(set, segment, start);
                foreach (var (lineStart, lineEnd, document) in JsonLinesFile.ReadLines(path, start, JsonLinesFile.CompleteLength(path), (where, reason) => FeedbackLog.BadLine(_logger, path, where, reason)))
                {
                    using (document)
                    {
                        batch.Add(document.RootElement, lineEnd, lineStart < (inFlight ?? -1), path, lineStart, _logger);
                    }

                    if (batch.Count >= batchSize)
                    {
                        yield return batch;
                        batch = new SpillBatch(set, segment, lineEnd);
                    }
                }

                // The last batch of a segment ends where the complete lines end (bad lines after the last good one included).
                batch.End = Math.Max(batch.End, JsonLinesFile.CompleteLength(path));
                if (batch.Count > 0 || batch.End > batch.Start)
                {
                    yield return batch;
                }
            }
        }
    }

    /// <summary>Records, durably, that a batch is about to be written to the store.</summary>
    public void BeginWrite(SpillBatch batch) => batch.Set.SaveProgress(new SpillProgress(batch.Segment, batch.Start, batch.End));

    /// <summary>Records, durably, that a batch is in the store; deletes what is fully replayed.</summary>
    public void Complete(SpillBatch batch)
    {
        var set = batch.Set;
        var path = set.SegmentPath(batch.Segment);
        Backlog = Math.Max(0, Backlog - JsonLinesFile.CountLines(path, batch.Start, batch.End));
        PendingBytes = Math.Max(0, PendingBytes - (batch.End - batch.Start));
        var isAppendTarget = ReferenceEquals(set, _own) && batch.Segment == _own.AppendSegment;
        if (batch.End < JsonLinesFile.CompleteLength(path))
        {
            set.SaveProgress(new SpillProgress(batch.Segment, batch.End, null));
            return;
        }

        // The segment is fully replayed.
        if (isAppendTarget)
        {
            _append?.Dispose();
            _append = null;
            _own.AppendSegment++;
        }

        set.SaveProgress(new SpillProgress(batch.Segment + 1, 0, null));
        File.Delete(path);
        if (!ReferenceEquals(set, _own) && !set.PendingSegments().Any())
        {
            set.Delete();
            _adopted.Remove(set);
        }
        else if (ReferenceEquals(set, _own) && !set.PendingSegments().Any())
        {
            set.DeleteProgress();
        }
    }

    public void Dispose()
    {
        _append?.Dispose();
        _append = null;
        if (_own.IsLocked && !_own.PendingSegments().Any())
        {
            _own.Delete();
        }
        else
        {
            _own.Unlock();
        }

        foreach (var set in _adopted)
        {
            set.Unlock();
        }
    }

    /// <summary>Counts the records waiting in a spill folder (every set and a legacy file), without taking any lock.</summary>
    public static (long Predictions, long Outcomes, IReadOnlyList<string> Files) Inspect(string folder)
    {
        long predictions = 0, outcomes = 0;
        var files = new List<string>();
        if (!Directory.Exists(folder))
        {
            return (0, 0, files);
        }

        foreach (var set in ListSets(folder))
        {
            foreach (var segment in set.PendingSegments())
            {
                var path = set.SegmentPath(segment);
                files.Add(path);
                var start = set.Progress.Segment == segment ? set.Progress.Offset : 0;
                foreach (var (_, _, document) in JsonLinesFile.ReadLines(path, start, JsonLinesFile.CompleteLength(path), static (_, _) => { }))
                {
                    using (document)
                    {
                        if (document.RootElement.ValueKind != JsonValueKind.Object)
                        {
                            continue;
                        }

                        predictions += document.RootElement.TryGetProperty("prediction", out _) ? 1 : 0;
                        outcomes += document.RootElement.TryGetProperty("outcome", out _) ? 1 : 0;
                    }
                }
            }
        }

        return (predictions, outcomes, files);
    }

    private static string NewId(TimeProvider timeProvider) => string.Create(
        CultureInfo.InvariantCulture,
        $"{timeProvider.GetUtcNow().UtcDateTime:yyyyMMddTHHmmssfff}Z-{Environment.ProcessId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4))}");

    /// <summary>The sets in a folder: every id with a lock, progress or segment file, and the legacy file.</summary>
    private static List<SpillSet> ListSets(string folder)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder, Prefix + "-*"))
        {
            if (SpillSet.TryParseId(System.IO.Path.GetFileName(path)) is { } id)
            {
                ids.Add(id);
            }
        }

        var sets = new List<SpillSet>();
        if (File.Exists(System.IO.Path.Combine(folder, LegacyName)))
        {
            sets.Add(new SpillSet(folder, "", legacy: true));
        }

        sets.AddRange(ids.Select(id => new SpillSet(folder, id, legacy: false)));
        return sets;
    }

    /// <summary>Takes the sets in the folder whose writer is gone.</summary>
    private void Adopt()
    {
        if (!Directory.Exists(Folder))
        {
            return;
        }

        foreach (var set in ListSets(Folder))
        {
            try
            {
                if (set.TryLock())
                {
                    if (set.PendingSegments().Any())
                    {
                        _adopted.Add(set);
                    }
                    else
                    {
                        set.Delete();
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                FeedbackLog.SpillReplayFailed(_logger, ex);
            }
        }
    }

    private static void TryTruncate(FileStream stream, long length)
    {
        try
        {
            stream.SetLength(length);
            stream.Seek(0, SeekOrigin.End);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The torn line is terminated and skipped when the file is next opened or read.
        }
    }

    private static void WriteItem(Utf8JsonWriter writer, (FeedbackItem Item, bool Unconfirmed) entry)
    {
        writer.WriteStartObject();
        if (entry.Item.Prediction is { } prediction)
        {
            writer.WritePropertyName("prediction");
            FeedbackJson.WritePrediction(writer, prediction);
        }
        else if (entry.Item.Outcome is { } outcome)
        {
            writer.WritePropertyName("outcome");
            FeedbackJson.WriteOutcome(writer, outcome);
        }

        if (entry.Unconfirmed)
        {
            writer.WriteBoolean("unconfirmed", true);
        }

        writer.WriteEndObject();
    }
}
