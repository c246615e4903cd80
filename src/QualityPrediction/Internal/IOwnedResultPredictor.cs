namespace QualityPrediction.Internal;

/// <summary>
/// A predictor of this library that answers synchronously under a cancellation token and returns a new result object
/// on every call that nobody else references, so an ensemble may complete that object in place as its own answer.
/// </summary>
internal interface IOwnedResultPredictor
{
    /// <summary>Predicts synchronously, observing <paramref name="cancellationToken"/>.</summary>
    /// <param name="context">The context.</param>
    /// <param name="cancellationToken">Cancels the prediction.</param>
    /// <returns>A new result.</returns>
    QualityPredictionResult Predict(PredictionContext context, CancellationToken cancellationToken);

    /// <summary>Gets the time source that stamps the results (an ensemble on the same one keeps their id and timestamp).</summary>
    TimeProvider TimeProvider { get; }
}
