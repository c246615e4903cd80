using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QualityPrediction.Feedback.Internal;

namespace QualityPrediction.Feedback;

/// <summary>
/// The embedded feedback store: append-only JSON-lines files in a folder, one set of files per writing instance,
/// rotated by size.
/// </summary>
/// <remarks>
/// <para>Each store instance that writes gets an id (its start time, process id and a random part) and appends only to
/// its own files: predictions to <c>predictions-ID-NNNNNN.jsonl</c>, outcomes to <c>outcomes-ID-NNNNNN.jsonl</c>, one JSON
/// object per line (<see cref="FeedbackJson"/>); a file is closed once it reaches
/// <see cref="JsonLinesFeedbackStoreOptions.MaxFileBytes"/> and the next number is started. It holds
/// <c>writer-ID.lock</c> (an exclusive lock) while it lives. So several processes (replicas on one shared folder, or a
/// restarted host overlapping its predecessor) can write one folder at once; readers read every writer's files together
/// (and the <c>KIND-NNNNNN.jsonl</c> files of earlier versions). Every batch is flushed to disk (fsync) before its write
/// completes; a write that fails is taken back, so a failed batch is not half in the store.</para>
/// <para>Safe across crashes: a line torn by a crash is at the end of a dead writer's file, where readers never take it
/// (they read complete lines only). Duplicate ids (the same record written again) are ignored when reading: the first
/// record of an id wins, in file order. <see cref="FeedbackWriter"/> replays check <see cref="FindStoredAsync"/> first,
/// so they add no duplicate lines.</para>
/// <para>Reads stream: <see cref="ReadJoinedAsync"/> keeps in memory only the records that are new since its
/// <c>after</c> position, and counts keep only ids.</para>
/// <para>Retention (<see cref="JsonLinesFeedbackStoreOptions.MaxAge"/>, <see cref="JsonLinesFeedbackStoreOptions.MaxTotalBytes"/>)
/// deletes closed files, oldest first, but only files that every dataset collecting from the folder has collected
/// (<see cref="RecordCollectedAsync"/>, recorded in the folder's <c>collected</c> subfolder); a prediction in such a file
/// whose outcome has not arrived is dropped with it. Thread-safe.</para>
/// </remarks>
public sealed partial class JsonLinesFeedbackStore : IFeedbackStore, IDisposable
{
    private readonly JsonLinesFeedbackStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Segment _predictions = new(outcomes: false);
    private readonly Segment _outcomes = new(outcomes: true);
    private readonly Lock _writerLock = new();
    private string? _writerId;
    private ExclusiveFileLock? _writerFileLock;
    private int _disposed;

    /// <summary>Creates a store over a folder.</summary>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock (writer ids, retention ages); <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The folder is empty, <see cref="JsonLinesFeedbackStoreOptions.MaxFileBytes"/> or <see cref="JsonLinesFeedbackStoreOptions.MaxTotalBytes"/> is below 1024, or <see cref="JsonLinesFeedbackStoreOptions.MaxAge"/> is not positive.</exception>
    public JsonLinesFeedbackStore(JsonLinesFeedbackStoreOptions options, ILogger<JsonLinesFeedbackStore>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Folder, nameof(options));
        if (options.MaxFileBytes < 1024)
        {
            throw new ArgumentException($"MaxFileBytes must be at least 1024, not {options.MaxFileBytes}.", nameof(options));
        }

        if (options.MaxTotalBytes is < 1024)
        {
            throw new ArgumentException($"MaxTotalBytes must be at least 1024, not {options.MaxTotalBytes}.", nameof(options));
        }

        if (options.MaxAge is { } age && age <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MaxAge must be positive, not {age}.", nameof(options));
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the folder.</summary>
    public string Folder => _options.Folder;

    /// <summary>Gets this instance's writer id (the part of its file names after the kind), or <see langword="null"/> before its first write.</summary>
    public string? WriterId => Volatile.Read(ref _writerId);

    /// <inheritdoc />
    /// <exception cref="IOException">The folder or file cannot be written (nothing of the batch is stored).</exception>
    public async ValueTask WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        await AppendAsync(_predictions, JsonLinesFile.Serialize(records, FeedbackJson.WritePrediction).WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The folder or file cannot be written (nothing of the batch is stored).</exception>
    public async ValueTask WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        await AppendAsync(_outcomes, JsonLinesFile.Serialize(records, FeedbackJson.WriteOutcome).WrittenMemory, cancellationToken).ConfigureAwait(false);
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

        lock (_writerLock)
        {
            _writerFileLock?.Delete();
            _writerFileLock = null;
        }
    }

    private async ValueTask AppendAsync(Segment segment, ReadOnlyMemory<byte> lines, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (lines.IsEmpty)
        {
            return;
        }

        var rotated = false;
        await segment.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (segment.Stream is null)
            {
                var writer = EnsureWriter();
                segment.Number = Math.Max(segment.Number, 1);
                segment.Open(Path.Combine(_options.Folder, StoreFile.FileName(segment.Outcomes, writer, segment.Number)));
            }
            else if (segment.Stream.Length > 0 && segment.Stream.Length + lines.Length > _options.MaxFileBytes)
            {
                segment.Close();
                segment.Number++;
                segment.Open(Path.Combine(_options.Folder, StoreFile.FileName(segment.Outcomes, EnsureWriter(), segment.Number)));
                rotated = true;
            }

            var stream = segment.Stream!;
            var before = stream.Length;
            try
            {
                JsonLinesFile.AppendDurably(stream, lines.Span);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Take back a partial write, so a failed batch is not in the store at all; if even that fails, start a new
                // file (the torn line stays at the end of this one, where readers never take it).
                try
                {
                    stream.SetLength(before);
                    stream.Seek(0, SeekOrigin.End);
                }
                catch (Exception truncate) when (truncate is IOException or UnauthorizedAccessException)
                {
                    segment.Close();
                    segment.Number++;
                }

                throw;
            }
        }
        finally
        {
            segment.Lock.Release();
        }

        if (rotated && (_options.MaxAge is not null || _options.MaxTotalBytes is not null))
        {
            TryApplyRetention();
        }
    }

    /// <summary>This instance's writer id, created with its lock at the first write.</summary>
    private string EnsureWriter()
    {
        lock (_writerLock)
        {
            if (_writerId is { } id)
            {
                return id;
            }

            Directory.CreateDirectory(_options.Folder);
            for (var attempt = 0; ; attempt++)
            {
                var candidate = string.Create(
                    CultureInfo.InvariantCulture,
                    $"{_timeProvider.GetUtcNow().UtcDateTime:yyyyMMddTHHmmssfff}Z-{Environment.ProcessId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4))}");
                if (ExclusiveFileLock.TryAcquire(WriterLockPath(candidate)) is { } held)
                {
                    _writerFileLock = held;
                    Volatile.Write(ref _writerId, candidate);
                    return candidate;
                }

                if (attempt > 10)
                {
                    throw new IOException($"Could not take a writer lock in '{_options.Folder}'.");
                }
            }
        }
    }

    private string WriterLockPath(string writer) => Path.Combine(_options.Folder, "writer-" + writer + ".lock");

    /// <summary>Whether the writer of a file may still append to it: a live writer (its lock is held) appends to its newest file of each kind.</summary>
    private bool MayGrow(StoreFile file, IReadOnlyList<StoreFile> all)
    {
        var newest = all.Where(f => f.Outcomes == file.Outcomes && f.Writer == file.Writer).Max(f => f.Number);
        if (file.Number < newest)
        {
            return false;
        }

        if (file.Writer.Length == 0)
        {
            return !IsUnused(file.Path); // an earlier version's writer holds a shared lock on its current file
        }

        if (file.Writer == WriterId)
        {
            return true;
        }

        using var probe = ExclusiveFileLock.TryAcquire(WriterLockPath(file.Writer));
        if (probe is null)
        {
            return true;
        }

        probe.Delete(); // the writer is gone; its lock file is not needed
        return false;
    }

    private static bool IsUnused(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 1);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private sealed class Segment(bool outcomes)
    {
        public bool Outcomes { get; } = outcomes;

        public SemaphoreSlim Lock { get; } = new(1, 1);

        public FileStream? Stream { get; private set; }

        public int Number { get; set; }

        public void Open(string path) => Stream = JsonLinesFile.OpenForAppend(path).Stream;

        public void Close()
        {
            Stream?.Dispose();
            Stream = null;
        }
    }
}
