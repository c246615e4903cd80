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
/// <para><b>Never blocks:</b> <see cref="TryEnqueue(PredictionRecord)"/> returns at once; when the bounded queue is full the
/// record is dropped and counted (<see cref="FeedbackWriterStatus.Dropped"/>, the <c>quality_prediction.feedback.dropped</c> counter).</para>
/// <para><b>No loss, no duplicates while the store is down:</b> a batch the store fails to write is appended to a local
/// spill file (fsynced) and later batches follow it there, in order; every <see cref="FeedbackWriterOptions.RetryInterval"/>
/// the spill file is replayed into the store and deleted once all of it is written. Stores are idempotent on the prediction
/// id, so a batch that is written twice (replayed after a partial failure, or after a crash during a replay) is stored once.
/// A spill file left by an earlier run is replayed after a restart.</para>
/// <para><b>Shutdown:</b> <see cref="DisposeAsync"/> (or <see cref="IHostedService.StopAsync"/>) stops accepting records,
/// writes what is queued, and spills it when the store fails.</para>
/// </remarks>
public sealed class FeedbackWriter : IAsyncDisposable, IDisposable, IHostedService
{
    /// <summary>The name of the counter of records dropped because the queue was full.</summary>
    public const string DroppedCounterName = "quality_prediction.feedback.dropped";

    /// <summary>The name of the counter of records written to the store.</summary>
    public const string WrittenCounterName = "quality_prediction.feedback.written";

    /// <summary>The name of the counter of records spilled to the local file.</summary>
    public const string SpilledCounterName = "quality_prediction.feedback.spilled";

    /// <summary>The name of the gauge of records waiting in the spill file.</summary>
    public const string BacklogGaugeName = "quality_prediction.feedback.backlog";

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
    private long _written;
    private long _dropped;
    private long _spilled;
    private long _backlog;
    private long _lastFailure = long.MinValue;
    private string? _lastError;
    private int _disposed;

    /// <summary>Creates a writer and starts its background task.</summary>
    /// <param name="store">The store to write to.</param>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The time provider (retry intervals); <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>QualityPrediction</c> meter; no metrics when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The capacity or batch size is below 1, or the retry interval is negative.</exception>
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
        _spill = new SpillFile(options.ResolveSpillFolder(), _logger);
        _backlog = _spill.Backlog;

        if (meterFactory is not null)
        {
            var meter = meterFactory.Create(QualityMonitor.MeterName);
            _droppedCounter = meter.CreateCounter<long>(DroppedCounterName, "{record}", "Feedback records dropped because the queue was full or the writer was stopped.");
            _writtenCounter = meter.CreateCounter<long>(WrittenCounterName, "{record}", "Feedback records written to the store.");
            _spilledCounter = meter.CreateCounter<long>(SpilledCounterName, "{record}", "Feedback records spilled to the local file while the store failed.");
            meter.CreateObservableGauge(BacklogGaugeName, () => Math.Max(0, Interlocked.Read(ref _backlog)), "{record}", "Feedback records in the spill file waiting for the store.");
        }

        _loop = Task.Run(RunAsync);
    }

    /// <summary>Gets the path of the spill file.</summary>
    public string SpillPath => _spill.Path;

    /// <summary>Queues a prediction; never blocks or throws for a full queue.</summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="true"/> when queued; <see langword="false"/> when dropped (queue full or writer stopped).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public bool TryEnqueue(PredictionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Enqueue(new FeedbackItem { Prediction = record });
    }

    /// <summary>Queues an outcome; never blocks or throws for a full queue.</summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="true"/> when queued; <see langword="false"/> when dropped (queue full or writer stopped).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is <see langword="null"/>.</exception>
    public bool TryEnqueue(OutcomeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Enqueue(new FeedbackItem { Outcome = record });
    }

    /// <summary>Waits until every record queued before this call is in the store or in the spill file.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the records are persisted.</returns>
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
        Volatile.Read(ref _lastError));

    /// <inheritdoc />
    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    async Task IHostedService.StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting records, writes (or spills) what is queued, and releases the spill file.</summary>
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
        if (_channel.Writer.TryWrite(item))
        {
            return true;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        _droppedCounter?.Add(1);
        if ((dropped & (dropped - 1)) == 0)
        {
            FeedbackLog.RecordsDropped(_logger, _options.Capacity, dropped);
        }

        return false;
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
            while (predictions.Count + outcomes.Count < _options.BatchSize && reader.TryRead(out var item))
            {
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
            predictions = [];
            outcomes = [];
            foreach (var marker in markers)
            {
                marker.TrySetResult();
            }

            markers.Clear();
        }

        // Shutdown: one last attempt to empty the spill file; what stays is replayed after the next start.
        if (_spill.HasPending)
        {
            await TryReplayAsync().ConfigureAwait(false);
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

        if (!_spill.HasPending)
        {
            try
            {
                await WriteToStoreAsync(predictions, outcomes).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Failed(ex);
                FeedbackLog.StoreWriteFailed(_logger, ex, count, _spill.Path);
            }
        }

        try
        {
            _spill.Append(predictions, outcomes);
            Interlocked.Add(ref _spilled, count);
            Interlocked.Exchange(ref _backlog, _spill.Backlog);
            _spilledCounter?.Add(count);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FeedbackLog.SpillWriteFailed(_logger, ex, count, _spill.Path);
            Interlocked.Add(ref _dropped, count);
            _droppedCounter?.Add(count);
        }
    }

    private async Task WriteToStoreAsync(IReadOnlyList<PredictionRecord> predictions, IReadOnlyList<OutcomeRecord> outcomes)
    {
        if (predictions.Count > 0)
        {
            await _store.WritePredictionsAsync(predictions).ConfigureAwait(false);
        }

        if (outcomes.Count > 0)
        {
            await _store.WriteOutcomesAsync(outcomes).ConfigureAwait(false);
        }

        var count = predictions.Count + outcomes.Count;
        Interlocked.Add(ref _written, count);
        _writtenCounter?.Add(count);
        Volatile.Write(ref _lastError, null);
        _lastFailure = long.MinValue;
    }

    private async Task TryReplayAsync()
    {
        long replayed = 0;
        try
        {
            foreach (var (predictions, outcomes) in _spill.Read(_options.BatchSize))
            {
                await WriteToStoreAsync(predictions, outcomes).ConfigureAwait(false);
                replayed += predictions.Count + outcomes.Count;
            }

            _spill.Clear();
            Interlocked.Exchange(ref _backlog, 0);
            FeedbackLog.SpillReplayed(_logger, replayed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Failed(ex);
            FeedbackLog.SpillReplayFailed(_logger, ex);
        }
    }

    private void Failed(Exception ex)
    {
        _lastFailure = _timeProvider.GetTimestamp();
        Volatile.Write(ref _lastError, $"{ex.GetType().Name}: {ex.Message}");
    }
}
