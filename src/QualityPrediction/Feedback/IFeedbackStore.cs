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

    /// <summary>Reads the predictions that have an outcome, in outcome order, after a position.</summary>
    /// <param name="afterPosition">Only rows whose <see cref="FeedbackRow.Position"/> is greater (0 for all).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The joined rows, in increasing position.</returns>
    IAsyncEnumerable<FeedbackRow> ReadJoinedAsync(long afterPosition = 0, CancellationToken cancellationToken = default);

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

    /// <summary>Counts the stored records.</summary>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The counts.</returns>
    ValueTask<FeedbackCounts> GetCountsAsync(CancellationToken cancellationToken = default);
}
