namespace QualityPrediction.Feedback;

/// <summary>The outcome of one collection run.</summary>
/// <param name="OutputPath">The dataset file.</param>
/// <param name="Appended">Rows appended by this run.</param>
/// <param name="Rows">Rows in the dataset after this run.</param>
/// <param name="Watermark">The watermark after this run; <see langword="null"/> when nothing was ever collected.</param>
public sealed record CollectResult(string OutputPath, long Appended, long Rows, string? Watermark);

/// <summary>Builds a training dataset from a feedback store: every prediction that has an outcome becomes one flat record.</summary>
public static class FeedbackCollector
{
    /// <summary>The column that carries a ranked prediction's selection probability in a collected dataset; train with
    /// <c>quality train --propensity selectionProbability</c> (which also keeps it out of the features).</summary>
    public const string SelectionProbabilityColumn = "selectionProbability";

    /// <summary>
    /// Appends the store's rows (predictions with their outcomes) that are complete now but were not at the dataset's
    /// watermark to a JSON-lines dataset: the prediction's features plus the observed outcome as <paramref name="targetName"/>.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="outputPath">The dataset file; its watermark (a position of the store) is kept beside it.</param>
    /// <param name="targetName">The name of the target column.</param>
    /// <param name="cancellationToken">Stops the run; nothing of it is kept.</param>
    /// <returns>What was collected.</returns>
    /// <remarks>
    /// <para><b>Exactly once.</b> A run fixes a position covering everything stored (<see cref="IFeedbackStore.GetPositionAsync"/>),
    /// appends the rows complete by it and not by the watermark, and commits the position as the new watermark with the
    /// rows. Every row whose prediction and outcome are both stored is therefore appended by exactly one run: the first
    /// one that starts after its later half is stored, whichever half that is (an outcome may be stored long before its
    /// prediction, e.g. while the prediction waits in another replica's spill files) and whatever order concurrent
    /// writers commit in. A run that fails or is cancelled keeps nothing, and the next run appends its rows.</para>
    /// <para>The run then records the position with the store (<see cref="IFeedbackStore.RecordCollectedAsync"/>, keyed by
    /// the output's full path), so a store's retention keeps what the dataset has not collected.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="outputPath"/> or <paramref name="targetName"/> is empty.</exception>
    /// <exception cref="InvalidDataException">The watermark does not match the dataset (see <see cref="IncrementalDataset.Open"/>).</exception>
    /// <exception cref="FormatException">The watermark is not a position of this store.</exception>
    public static Task<CollectResult> CollectAsync(IFeedbackStore store, string outputPath, string targetName = "quality", CancellationToken cancellationToken = default) =>
        CollectAsync(store, outputPath, targetName, recordCollected: true, cancellationToken);

    /// <summary>Appends the store's new rows to a dataset, as <see cref="CollectAsync(IFeedbackStore, string, string, CancellationToken)"/>, optionally without recording the collection with the store (for a scratch copy of a dataset, as a dry run uses).</summary>
    /// <param name="store">The store.</param>
    /// <param name="outputPath">The dataset file.</param>
    /// <param name="targetName">The name of the target column.</param>
    /// <param name="recordCollected">Whether to record the collection with the store (<see cref="IFeedbackStore.RecordCollectedAsync"/>).</param>
    /// <param name="cancellationToken">Stops the run; nothing of it is kept.</param>
    /// <returns>What was collected.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="outputPath"/> or <paramref name="targetName"/> is empty.</exception>
    /// <exception cref="InvalidDataException">The watermark does not match the dataset.</exception>
    /// <exception cref="FormatException">The watermark is not a position of this store.</exception>
    public static async Task<CollectResult> CollectAsync(IFeedbackStore store, string outputPath, string targetName, bool recordCollected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetName);
        var dataset = IncrementalDataset.Open(outputPath, "feedback-store");
        await using (dataset.ConfigureAwait(false))
        {
            var upTo = await store.GetPositionAsync(cancellationToken).ConfigureAwait(false);
            await foreach (var row in store.ReadJoinedAsync(dataset.Watermark, upTo, cancellationToken).ConfigureAwait(false))
            {
                dataset.Append(row.Prediction.Features, targetName, row.Outcome.Observed, row.Prediction.SelectionProbability);
            }

            var appended = dataset.PendingRows;
            if (appended > 0 || !string.Equals(dataset.Watermark, upTo, StringComparison.Ordinal))
            {
                await dataset.CommitAsync(upTo, cancellationToken).ConfigureAwait(false);
            }

            if (recordCollected)
            {
                await store.RecordCollectedAsync(Path.GetFullPath(outputPath), upTo, cancellationToken).ConfigureAwait(false);
            }

            return new CollectResult(outputPath, appended, dataset.Rows, dataset.Watermark);
        }
    }
}
