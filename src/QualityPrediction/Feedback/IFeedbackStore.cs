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

    /// <summary>Counts the stored records.</summary>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The counts.</returns>
    ValueTask<FeedbackCounts> GetCountsAsync(CancellationToken cancellationToken = default);
}
