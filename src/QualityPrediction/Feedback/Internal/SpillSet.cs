using System.Globalization;
using System.Text.Json;

namespace QualityPrediction.Feedback.Internal;

/// <summary>One writer's spill files in a spill folder (see <see cref="SpillFile"/>): lock, segments and replay progress.</summary>
internal sealed class SpillSet
{
    private const string Prefix = "feedback-spill-";
    private readonly string _folder;
    private ExclusiveFileLock? _lock;
    private SpillProgress? _progress;

    /// <param name="folder">The spill folder.</param>
    /// <param name="id">The writer's id; empty for the legacy file.</param>
    /// <param name="legacy">Whether this is the single <c>feedback-spill.jsonl</c> of an earlier version.</param>
    public SpillSet(string folder, string id, bool legacy)
    {
        _folder = folder;
        Id = id;
        Legacy = legacy;
    }

    public string Id { get; }

    public bool Legacy { get; }

    /// <summary>Gets or sets the segment this writer appends to (its own set only).</summary>
    public int AppendSegment { get; set; } = 1;

    public bool IsLocked => _lock is not null;

    public SpillProgress Progress => _progress ??= LoadProgress();

    private string LockPath => Path.Combine(_folder, Legacy ? "feedback-spill.lock" : Prefix + Id + ".lock");

    private string ProgressPath => Path.Combine(_folder, Legacy ? "feedback-spill.progress" : Prefix + Id + ".progress");

    /// <summary>The id in a spill file's name (<c>feedback-spill-ID.lock</c>, <c>.progress</c> or <c>-NNNNNN.jsonl</c>), or <see langword="null"/> for another file.</summary>
    public static string? TryParseId(string fileName)
    {
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = fileName[Prefix.Length..];
        if (rest.EndsWith(".lock", StringComparison.Ordinal))
        {
            return rest[..^".lock".Length];
        }

        if (rest.EndsWith(".progress", StringComparison.Ordinal))
        {
            return rest[..^".progress".Length];
        }

        if (rest.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            var name = rest[..^".jsonl".Length];
            var dash = name.LastIndexOf('-');
            return dash > 0 && SegmentNumber(name[(dash + 1)..]) is not null ? name[..dash] : null;
        }

        return null;
    }

    public string SegmentPath(int segment) => Legacy
        ? Path.Combine(_folder, "feedback-spill.jsonl")
        : Path.Combine(_folder, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Id}-{segment:D6}.jsonl"));

    /// <summary>The segments not yet fully replayed, oldest first.</summary>
    public IEnumerable<int> PendingSegments()
    {
        var from = Progress.Segment;
        if (Legacy)
        {
            return from <= 1 && File.Exists(SegmentPath(1)) ? [1] : [];
        }

        if (!Directory.Exists(_folder))
        {
            return [];
        }

        var numbers = new List<int>();
        foreach (var path in Directory.EnumerateFiles(_folder, Prefix + Id + "-*.jsonl"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.Length == Prefix.Length + Id.Length + 7 && SegmentNumber(name[^6..]) is { } number && number >= from)
            {
                numbers.Add(number);
            }
        }

        numbers.Sort();
        return numbers;
    }

    public IEnumerable<string> SegmentPaths() => PendingSegments().Select(SegmentPath);

    /// <summary>Counts the lines (records) and bytes waiting to be replayed.</summary>
    public long CountPending(out long bytes)
    {
        long lines = 0;
        bytes = 0;
        foreach (var segment in PendingSegments())
        {
            var path = SegmentPath(segment);
            var start = segment == Progress.Segment ? Progress.Offset : 0;
            var end = JsonLinesFile.CompleteLength(path);
            if (end > start)
            {
                lines += JsonLinesFile.CountLines(path, start, end);
                bytes += end - start;
            }
        }

        return lines;
    }

    /// <summary>Takes the set's lock when its writer is gone; <see langword="false"/> when a live process holds it (or, for the legacy file, has it open).</summary>
    /// <exception cref="IOException">The lock file cannot be created.</exception>
    public bool TryLock()
    {
        if (Legacy && !IsUnused(SegmentPath(1)))
        {
            return false;
        }

        _lock = ExclusiveFileLock.TryAcquire(LockPath);
        _progress = null; // read what the previous owner saved
        return _lock is not null;
    }

    /// <summary>Takes this writer's own lock before its first segment is written.</summary>
    /// <exception cref="IOException">Another handle holds the lock (an id is never reused, so this is a bug).</exception>
    public void EnsureLocked()
    {
        if (_lock is null)
        {
            _lock = ExclusiveFileLock.TryAcquire(LockPath) ?? throw new IOException($"The spill lock '{LockPath}' is held by another handle.");
        }
    }

    /// <summary>Saves the progress durably (a temporary file, fsynced, renamed into place).</summary>
    public void SaveProgress(SpillProgress progress)
    {
        var temp = ProgressPath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteNumber("segment", progress.Segment);
                writer.WriteNumber("offset", progress.Offset);
                if (progress.InFlight is { } inFlight)
                {
                    writer.WriteNumber("inFlight", inFlight);
                }

                writer.WriteEndObject();
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, ProgressPath, overwrite: true);
        _progress = progress;
    }

    public void DeleteProgress()
    {
        File.Delete(ProgressPath);
        _progress = new SpillProgress(Progress.Segment, 0, null);
    }

    /// <summary>Deletes every file of the set, the lock last.</summary>
    public void Delete()
    {
        foreach (var segment in PendingSegments())
        {
            File.Delete(SegmentPath(segment));
        }

        File.Delete(ProgressPath);
        File.Delete(ProgressPath + ".tmp");
        if (_lock is { } held)
        {
            held.Delete();
            _lock = null;
        }
    }

    public void Unlock()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private static int? SegmentNumber(string digits) =>
        digits.Length == 6 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>Whether no process has the file open for writing (a writer of an earlier version held a shared lock on it).</summary>
    private static bool IsUnused(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private SpillProgress LoadProgress()
    {
        var initial = new SpillProgress(1, 0, null);
        if (!File.Exists(ProgressPath))
        {
            return initial;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(ProgressPath));
            var root = document.RootElement;
            return new SpillProgress(
                root.GetProperty("segment").GetInt32(),
                root.GetProperty("offset").GetInt64(),
                root.TryGetProperty("inFlight", out var inFlight) && inFlight.ValueKind == JsonValueKind.Number ? inFlight.GetInt64() : null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // A progress file that cannot be read: replay everything, every record unconfirmed (checked against the store).
            return new SpillProgress(1, 0, long.MaxValue);
        }
    }
}
