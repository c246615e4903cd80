using System.Globalization;

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
    /// Appends the store's joined rows that are newer than the dataset's watermark to a JSON-lines dataset: the
    /// prediction's features plus the observed outcome as <paramref name="targetName"/>.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="outputPath">The dataset file; its watermark is kept beside it.</param>
    /// <param name="targetName">The name of the target column.</param>
    /// <param name="cancellationToken">Stops the run; nothing of it is kept.</param>
    /// <returns>What was collected.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="outputPath"/> or <paramref name="targetName"/> is empty.</exception>
    /// <exception cref="InvalidDataException">The watermark does not match the dataset (see <see cref="IncrementalDataset.Open"/>).</exception>
    public static async Task<CollectResult> CollectAsync(IFeedbackStore store, string outputPath, string targetName = "quality", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetName);
        var dataset = IncrementalDataset.Open(outputPath, "feedback-store");
        await using (dataset.ConfigureAwait(false))
        {
            var after = dataset.Watermark is { } mark ? long.Parse(mark, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
            var last = after;
            await foreach (var row in store.ReadJoinedAsync(after, cancellationToken).ConfigureAwait(false))
            {
                dataset.Append(row.Prediction.Features, targetName, row.Outcome.Observed, row.Prediction.SelectionProbability);
                last = Math.Max(last, row.Position);
            }

            var appended = dataset.PendingRows;
            if (appended > 0 || dataset.Watermark is null)
            {
                await dataset.CommitAsync(last.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }

            return new CollectResult(outputPath, appended, dataset.Rows, dataset.Watermark);
        }
    }
}
