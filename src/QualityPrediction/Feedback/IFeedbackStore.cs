namespace QualityPrediction.Feedback;

/// <summary>
/// Keeps predictions and their observed outcomes for the next training run.
/// </summary>
/// <remarks>
/// Writes are idempotent on the prediction id: writing a record whose id is already stored changes nothing, so a
/// batch may be retried after a failure without creating duplicates. Implementations are thread-safe. The prediction
/// path never calls a store directly: <see cref="FeedbackWriter"/> queues records and writes them in batches.
/// </remarks>
public interface IFeedbackStore
{
    /// <summary>Writes a batch of predictions; ids already stored are ignored.</summary>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is durable.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    ValueTask WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Writes a batch of outcomes; ids already stored are ignored (the first outcome of a prediction wins).</summary>
    /// <param name="records">The records.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is durable.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is <see langword="null"/>.</exception>
    ValueTask WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> records, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets a position that covers everything stored now. A row (a prediction with its outcome, in whichever order the two
    /// were stored) is complete at a position when both halves are stored by it; rows completed later are never covered
    /// by an earlier position, whatever order concurrent writers commit in.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An opaque position of this store (keep it as text, e.g. as a dataset's watermark).</returns>
    ValueTask<string> GetPositionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the rows complete at <paramref name="upTo"/> but not at <paramref name="after"/>: reading from one position
    /// to the next, and the next to the one after, returns every row exactly once.
    /// </summary>
    /// <param name="after">A position from <see cref="GetPositionAsync"/>; <see langword="null"/> for the beginning.</param>
    /// <param name="upTo">A later position from <see cref="GetPositionAsync"/>; <see langword="null"/> for a position taken now.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The rows; the first prediction record and the first outcome record of an id win.</returns>
    /// <exception cref="FormatException">A position is not one of this store's.</exception>
    IAsyncEnumerable<FeedbackRow> ReadJoinedAsync(string? after = null, string? upTo = null, CancellationToken cancellationToken = default);

    /// <summary>Finds which of the given prediction ids already have a stored prediction, and which a stored outcome.</summary>
    /// <param name="predictionIds">The ids to look up.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The ids found.</returns>
    /// <remarks>The <see cref="FeedbackWriter"/> calls it before it writes again records whose earlier write may have gone
    /// through (a write that failed part-way, or a replay cut off by a crash), so that a store which does not ignore repeated
    /// ids by itself still stores nothing twice. The default finds none: right for a store whose writes ignore the ids it
    /// holds already (as PostgreSQL's <c>ON CONFLICT DO NOTHING</c> does).</remarks>
    ValueTask<StoredFeedbackIds> FindStoredAsync(IReadOnlyCollection<Guid> predictionIds, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(StoredFeedbackIds.None);

    /// <summary>Records that a consumer (a dataset) has collected every row up to a position, for stores whose retention
    /// must keep what is not collected yet. The default does nothing.</summary>
    /// <param name="consumer">Names the consumer (e.g. the dataset's full path).</param>
    /// <param name="position">The position it collected up to.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the mark is durable.</returns>
    ValueTask RecordCollectedAsync(string consumer, string position, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>Counts the stored records.</summary>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The counts.</returns>
    ValueTask<FeedbackCounts> GetCountsAsync(CancellationToken cancellationToken = default);
}
