using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QualityPrediction.Feedback.Internal;
using QualityPrediction.Monitoring;

namespace QualityPrediction.Feedback;

/// <summary>
/// Queues feedback records and writes them to an <see cref="IFeedbackStore"/> in batches on a background task,
/// so the prediction path never waits for or fails because of the store.
/// </summary>
/// <remarks>
/// <para><b>Never blocks:</b> <see cref="TryEnqueue(PredictionRecord)"/> returns at once; when the bounded queue is full
/// (<see cref="FeedbackWriterOptions.Capacity"/> records or <see cref="FeedbackWriterOptions.MaxQueueBytes"/> bytes) the
/// record is dropped and counted (<see cref="FeedbackWriterStatus.Dropped"/>, the <c>quality_prediction.feedback.dropped</c>
/// counter). A feature name or category longer than <see cref="FeedbackWriterOptions.MaxLoggedValueLength"/> is left out
/// of the logged record and counted, so one huge context value cannot hold memory or fill the disk.</para>
/// <para><b>No loss, no duplicates while the store is down:</b> a batch the store fails to write is appended to local
/// spill files (fsynced) and later batches follow it there, in order; every <see cref="FeedbackWriterOptions.RetryInterval"/>
/// the spill files are replayed into the store, resuming where the last replay stopped, and deleted once written. Records
/// whose earlier write may have gone through are checked with <see cref="IFeedbackStore.FindStoredAsync"/> first, so
/// nothing is written twice. Spill files left by a writer that died are replayed by the next writer to start on the folder.</para>
/// <para><b>Acknowledged means stored:</b> <see cref="FlushAsync"/> completes when everything queued before it is in the
/// store or in the spill files, and throws <see cref="FeedbackRecordsLostException"/> when accepted records were lost
/// instead (the spill files full at <see cref="FeedbackWriterOptions.MaxSpillBytes"/>, or not writable).</para>
/// <para><b>Shutdown:</b> <see cref="DisposeAsync"/> (or <see cref="IHostedService.StopAsync"/>) stops accepting records,
/// writes what is queued, and spills it when the store fails.</para>
/// </remarks>
public sealed class FeedbackWriter : IAsyncDisposable, IDisposable, IHostedService
{
    /// <summary>The name of the counter of records dropped (tag <c>error.type</c>: <c>queue_full</c>, <c>stopped</c>, <c>spill_full</c>, <c>spill_failed</c>).</summary>
    public const string DroppedCounterName = "quality_prediction.feedback.dropped";

    /// <summary>The name of the counter of records written to the store.</summary>
    public const string WrittenCounterName = "quality_prediction.feedback.written";

    /// <summary>The name of the counter of records spilled to the local files.</summary>
    public const string SpilledCounterName = "quality_prediction.feedback.spilled";

    /// <summary>The name of the gauge of records waiting in the spill files.</summary>
    public const string BacklogGaugeName = "quality_prediction.feedback.backlog";

    /// <summary>The name of the counter of feature names or categories left out of logged predictions for their length.</summary>
    public const string ValuesOmittedCounterName = "quality_prediction.feedback.values_omitted";

    private readonly IFeedbackStore _store;
    private readonly FeedbackWriterOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<FeedbackItem> _channel;
    private readonly SpillFile _spill;
    private readonly Task _loop;
    private readonly Counter<long>? _droppedCounter;
    private readonly Counter<long>? _writtenCounter;
    private readonly Counter<long>? _spilledCounter;
    private readonly Counter<long>? _omittedCounter;
    private long _written;
    private long _dropped;
    private long _spilled;
    private long _backlog;
    private long _spillBytes;
    private long _queuedBytes;
    private long _lost;
    private long _lostReported;
    private long _omitted;
    private long _lastFailure = long.MinValue;
    private string? _lastError;
    private string? _lossReason;
    private Exception? _lossError;
    private int _disposed;

    /// <summary>Creates a writer and starts its background task.</summary>
    /// <param name="store">The store to write to.</param>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The time provider (retry intervals); <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>QualityPrediction</c> meter; no metrics when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity or batch size is below 1, the retry interval is negative, or a byte or length limit is below its minimum (64 KiB for the queue and the spill files, 16 characters for a value).</exception>
    public FeedbackWriter(
        IFeedbackStore store,
        FeedbackWriterOptions options,
        TimeProvider? timeProvider = null,
        ILogger<FeedbackWriter>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxQueueBytes, 64 * 1024, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxSpillBytes, 64 * 1024, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxLoggedValueLength, 16, nameof(options));
        _store = store;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _channel = Channel.CreateBounded<FeedbackItem>(new BoundedChannelOptions(options.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _spill = new SpillFile(options.ResolveSpillFolder(), options.MaxSpillBytes, _timeProvider, _logger);
        _backlog = _spill.Backlog;
        _spillBytes = _spill.PendingBytes;

        if (meterFactory is not null)
        {
            var meter = meterFactory.Create(QualityMonitor.MeterName);
            _droppedCounter = meter.CreateCounter<long>(DroppedCounterName, "{record}", "Feedback records dropped: the queue was full or the writer stopped, or the spill files were full or failed.");
            _writtenCounter = meter.CreateCounter<long>(WrittenCounterName, "{record}", "Feedback records written to the store.");
            _spilledCounter = meter.CreateCounter<long>(SpilledCounterName, "{record}", "Feedback records spilled to the local files while the store failed.");
            _omittedCounter = meter.CreateCounter<long>(ValuesOmittedCounterName, "{value}", "Feature names or categories left out of logged predictions for their length.");
            meter.CreateObservableGauge(BacklogGaugeName, () => Math.Max(0, Interlocked.Read(ref _backlog)), "{record}", "Feedback records in the spill files waiting for the store.");
        }

        _loop = Task.Run(RunAsync);
    }

    /// <summary>Gets the spill file this writer appends to now (one of the files in <see cref="SpillFolder"/>; it exists only while records wait in it).</summary>
    public string SpillPath => _spill.Path;

    /// <summary>Gets the spill folder.</summary>
    public string SpillFolder => _spill.Folder;

    /// <summary>Queues a prediction; never blocks or throws for a full queue.</summary>
    /// <param name="record">The record; a feature whose name or category is longer than <see cref="FeedbackWriterOptions.MaxLoggedValueLength"/> is left out.</param>
    /// <returns><see langword="true"/> when queued; <see langword="false"/> when dropped (queue full or writer stopped).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public bool TryEnqueue(PredictionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        record = WithoutOversizedValues(record);
        return Enqueue(new FeedbackItem { Prediction = record, Bytes = FeedbackItem.EstimateBytes(record) });
    }

    /// <summary>Queues an outcome; never blocks or throws for a full queue.</summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="true"/> when queued; <see langword="false"/> when dropped (queue full or writer stopped).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public bool TryEnqueue(OutcomeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Enqueue(new FeedbackItem { Outcome = record, Bytes = FeedbackItem.OutcomeBytes });
    }

    /// <summary>Waits until every record queued before this call is in the store or in the spill files.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the records are persisted.</returns>
    /// <exception cref="FeedbackRecordsLostException">Records the writer had accepted were lost since the previous flush (each loss is reported once, by the first flush that completes after it): neither the store nor the spill files took them.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var marker = new FeedbackItem { Flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        try
        {
            await _channel.Writer.WriteAsync(marker, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            ThrowIfLost();
            return;
        }

        await marker.Flushed!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Gets the writer's counters.</summary>
    /// <returns>The snapshot.</returns>
    public FeedbackWriterStatus GetStatus() => new(
        _channel.Reader.Count,
        Interlocked.Read(ref _written),
        Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _spilled),
        Math.Max(0, Interlocked.Read(ref _backlog)),
        Volatile.Read(ref _lastError),
        Interlocked.Read(ref _lost),
        Math.Max(0, Interlocked.Read(ref _queuedBytes)),
        Interlocked.Read(ref _spillBytes),
        Interlocked.Read(ref _omitted));

    /// <summary>Counts the records waiting in a spill folder (every writer's files, and those of writers that died), without writing to it; for status tools.</summary>
    /// <param name="folder">The spill folder.</param>
    /// <returns>The predictions and outcomes waiting, and the files holding them.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is empty.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static (long Predictions, long Outcomes, IReadOnlyList<string> Files) InspectSpillFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return SpillFile.Inspect(folder);
    }

    /// <inheritdoc />
    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting records, writes (or spills) what is queued, and releases the spill files.</summary>
    /// <returns>A task that completes when everything queued is persisted.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _spill.Dispose();
    }

    /// <summary>Stops accepting records and waits (blocking) until what is queued is persisted; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private bool Enqueue(FeedbackItem item)
    {
        var bytes = Interlocked.Add(ref _queuedBytes, item.Bytes);
        if (bytes <= _options.MaxQueueBytes && _channel.Writer.TryWrite(item))
        {
            return true;
        }

        Interlocked.Add(ref _queuedBytes, -item.Bytes);
        var dropped = Interlocked.Increment(ref _dropped);
        if (_droppedCounter is { Enabled: true } counter)
        {
            counter.Add(1, new KeyValuePair<string, object?>("error.type", Volatile.Read(ref _disposed) != 0 ? "stopped" : "queue_full"));
        }

        if ((dropped & (dropped - 1)) == 0)
        {
            FeedbackLog.RecordsDropped(_logger, _options.Capacity, _options.MaxQueueBytes, dropped);
        }

        return false;
    }

    /// <summary>Leaves out the features whose name or category is longer than the limit (a copy only when there is one).</summary>
    private PredictionRecord WithoutOversizedValues(PredictionRecord record)
    {
        var max = _options.MaxLoggedValueLength;
        var oversized = 0;
        foreach (var (name, value) in record.Features)
        {
            if (name.Length > max || value.Category?.Length > max)
            {
                oversized++;
            }
        }

        if (oversized == 0)
        {
            return record;
        }

        var kept = new Dictionary<string, FeatureValue>(record.Features.Count - oversized, StringComparer.Ordinal);
        foreach (var (name, value) in record.Features)
        {
            if (name.Length <= max && !(value.Category?.Length > max))
            {
                kept[name] = value;
            }
        }

        var omitted = Interlocked.Add(ref _omitted, oversized);
        _omittedCounter?.Add(oversized);
        if (((omitted - oversized) & omitted) == 0 || omitted == oversized)
        {
            FeedbackLog.ValuesOmitted(_logger, max, omitted);
        }

        return record with { Features = kept };
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var predictions = new List<PredictionRecord>();
        var outcomes = new List<OutcomeRecord>();
        var markers = new List<TaskCompletionSource>();
        Task<bool>? waiting = null;
        while (true)
        {
            waiting ??= reader.WaitToReadAsync().AsTask();
            if (_spill.HasPending && !waiting.IsCompleted)
            {
                using var delay = new CancellationTokenSource();
                var retry = Task.Delay(RetryDelay(), _timeProvider, delay.Token);
                if (await Task.WhenAny(waiting, retry).ConfigureAwait(false) != waiting)
                {
                    await TryReplayAsync().ConfigureAwait(false);
                    continue;
                }

                await delay.CancelAsync().ConfigureAwait(false);
            }

            if (!await waiting.ConfigureAwait(false))
            {
                break;
            }

            waiting = null;
            long bytes = 0;
            while (predictions.Count + outcomes.Count < _options.BatchSize && reader.TryRead(out var item))
            {
                bytes += item.Bytes;
                if (item.Prediction is not null)
                {
                    predictions.Add(item.Prediction);
                }
                else if (item.Outcome is not null)
                {
                    outcomes.Add(item.Outcome);
                }
                else if (item.Flushed is not null)
                {
                    markers.Add(item.Flushed);
                    break;
                }
            }

            await PersistAsync(predictions, outcomes).ConfigureAwait(false);
            Interlocked.Add(ref _queuedBytes, -bytes);
            predictions = [];
            outcomes = [];
            foreach (var marker in markers)
            {
                if (TakeLoss() is { } loss)
                {
                    marker.TrySetException(loss);
                }
                else
                {
                    marker.TrySetResult();
                }
            }

            markers.Clear();
        }

        // Shutdown: one last attempt to empty the spill files; what stays is replayed after the next start.
        if (_spill.HasPending)
        {
            await TryReplayAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The losses not reported yet, as the exception a flush throws (and marks them reported); <see langword="null"/> when there are none.</summary>
    private FeedbackRecordsLostException? TakeLoss()
    {
        var lost = Interlocked.Read(ref _lost);
        var reported = Interlocked.Exchange(ref _lostReported, lost);
        return lost > reported
            ? new FeedbackRecordsLostException(lost - reported, Volatile.Read(ref _lossReason) ?? "unknown", Volatile.Read(ref _lossError))
            : null;
    }

    private void ThrowIfLost()
    {
        if (TakeLoss() is { } loss)
        {
            throw loss;
        }
    }

    private TimeSpan RetryDelay()
    {
        if (_lastFailure == long.MinValue)
        {
            return TimeSpan.Zero;
        }

        var remaining = _options.RetryInterval - _timeProvider.GetElapsedTime(_lastFailure);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    private async Task PersistAsync(List<PredictionRecord> predictions, List<OutcomeRecord> outcomes)
    {
        var count = predictions.Count + outcomes.Count;
        if (count == 0)
        {
            return;
        }

        if (_spill.HasPending && RetryDelay() == TimeSpan.Zero)
        {
            await TryReplayAsync().ConfigureAwait(false);
        }

        if (_spill.HasPending)
        {
            Spill(predictions, outcomes, unconfirmed: false); // keep the order: behind what waits in the spill files
            return;
        }

        var predictionsWritten = false;
        try
        {
            if (predictions.Count > 0)
            {
                await _store.WritePredictionsAsync(predictions).ConfigureAwait(false);
                Written(predictions.Count);
            }

            predictionsWritten = true;
            if (outcomes.Count > 0)
            {
                await _store.WriteOutcomesAsync(outcomes).ConfigureAwait(false);
                Written(outcomes.Count);
            }

            Recovered();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Failed(ex);
            var failed = predictionsWritten ? outcomes.Count : count;
            FeedbackLog.StoreWriteFailed(_logger, ex, failed, _spill.Folder);

            // Only what was not confirmed goes to the spill files; it may be partly in the store (checked before the replay).
            Spill(predictionsWritten ? [] : predictions, outcomes, unconfirmed: true);
        }
    }

    private void Spill(IReadOnlyList<PredictionRecord> predictions, IReadOnlyList<OutcomeRecord> outcomes, bool unconfirmed)
    {
        var count = predictions.Count + outcomes.Count;
        try
        {
            if (_spill.Append(predictions, outcomes, unconfirmed))
            {
                Interlocked.Add(ref _spilled, count);
                _spilledCounter?.Add(count);
                SpillChanged();
                return;
            }

            Lose(count, "spill_full", $"the spill files in '{_spill.Folder}' are full (MaxSpillBytes {_options.MaxSpillBytes})", null);
            FeedbackLog.SpillFull(_logger, _spill.Folder, _spill.PendingBytes, _options.MaxSpillBytes, count, Interlocked.Read(ref _dropped));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Lose(count, "spill_failed", $"the spill files in '{_spill.Folder}' cannot be written ({ex.GetType().Name}: {ex.Message})", ex);
            FeedbackLog.SpillWriteFailed(_logger, ex, count, _spill.Folder);
        }
    }

    private void Lose(int count, string errorType, string reason, Exception? error)
    {
        Volatile.Write(ref _lossReason, Volatile.Read(ref _lastError) is { } storeError ? $"the store failed ({storeError}) and {reason}" : reason);
        Volatile.Write(ref _lossError, error);
        Interlocked.Add(ref _dropped, count);
        Interlocked.Add(ref _lost, count);
        if (_droppedCounter is { Enabled: true } counter)
        {
            counter.Add(count, new KeyValuePair<string, object?>("error.type", errorType));
        }

        FeedbackLog.RecordsLost(_logger, count);
    }

    private async Task TryReplayAsync()
    {
        long replayed = 0;
        try
        {
            foreach (var batch in _spill.Read(_options.BatchSize))
            {
                IReadOnlyList<PredictionRecord> predictions = batch.Predictions;
                IReadOnlyList<OutcomeRecord> outcomes = batch.Outcomes;
                if (batch.Unconfirmed.Count > 0)
                {
                    // The store may hold some of these already (a write that failed part-way, or a replay cut off by a crash).
                    var stored = await _store.FindStoredAsync(batch.Unconfirmed).ConfigureAwait(false);
                    predictions = [.. batch.Predictions.Where(p => !(batch.Unconfirmed.Contains(p.PredictionId) && stored.Predictions.Contains(p.PredictionId)))];
                    outcomes = [.. batch.Outcomes.Where(o => !(batch.Unconfirmed.Contains(o.PredictionId) && stored.Outcomes.Contains(o.PredictionId)))];
                }

                _spill.BeginWrite(batch);
                if (predictions.Count > 0)
                {
                    await _store.WritePredictionsAsync(predictions).ConfigureAwait(false);
                    Written(predictions.Count);
                }

                if (outcomes.Count > 0)
                {
                    await _store.WriteOutcomesAsync(outcomes).ConfigureAwait(false);
                    Written(outcomes.Count);
                }

                _spill.Complete(batch);
                SpillChanged();
                replayed += batch.Count;
            }

            Recovered();
            FeedbackLog.SpillReplayed(_logger, replayed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Failed(ex);
            FeedbackLog.SpillReplayFailed(_logger, ex);
        }
    }

    private void Written(int count)
    {
        Interlocked.Add(ref _written, count);
        _writtenCounter?.Add(count);
    }

    private void SpillChanged()
    {
        Interlocked.Exchange(ref _backlog, _spill.Backlog);
        Interlocked.Exchange(ref _spillBytes, _spill.PendingBytes);
    }

    private void Recovered()
    {
        Volatile.Write(ref _lastError, null);
        _lastFailure = long.MinValue;
    }

    private void Failed(Exception ex)
    {
        _lastFailure = _timeProvider.GetTimestamp();
        Volatile.Write(ref _lastError, $"{ex.GetType().Name}: {ex.Message}");
    }
}
