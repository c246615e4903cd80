namespace QualityPrediction;

/// <summary>
/// Predicts the quality of a piece of generated content from its <see cref="PredictionContext"/>.
/// </summary>
/// <remarks>
/// Every implementation is thread-safe: one instance serves any number of concurrent callers.
/// Implementations never throw because a model is missing or faulty (an ensemble falls back and says so
/// in <see cref="QualityPredictionResult.Members"/>); they throw only for programmer errors such as a
/// <see langword="null"/> context or a feature value of the wrong kind.
/// </remarks>
public interface IQualityPredictor
{
    /// <summary>Gets the name of this predictor (the model name, <c>heuristic</c>, or the ensemble's name).</summary>
    string Name { get; }

    /// <summary>Predicts the quality for one context synchronously. This is the hot path.</summary>
    /// <param name="context">The features of the content to score.</param>
    /// <returns>The prediction with its confidence, interval and source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A feature has a value of the wrong kind for this predictor.</exception>
    QualityPredictionResult Predict(PredictionContext context);

    /// <summary>Predicts the quality for one context, observing <paramref name="cancellationToken"/>.</summary>
    /// <param name="context">The features of the content to score.</param>
    /// <param name="cancellationToken">Cancels the prediction.</param>
    /// <returns>The prediction with its confidence, interval and source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A feature has a value of the wrong kind for this predictor.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default);

    /// <summary>Predicts the quality for many contexts at once, writing one result per context.</summary>
    /// <param name="contexts">The contexts to score.</param>
    /// <param name="results">Receives the results; must be at least as long as <paramref name="contexts"/>.</param>
    /// <param name="cancellationToken">Cancels the batch.</param>
    /// <exception cref="ArgumentException"><paramref name="results"/> is shorter than <paramref name="contexts"/>, or a context holds a value of the wrong kind.</exception>
    /// <exception cref="ArgumentNullException">One of the contexts is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default);
}
