namespace QualityPrediction.Monitoring;

/// <summary>
/// Where the host reports the observed quality of earlier predictions. Registered by <c>AddQualityMonitor</c> and
/// <c>AddFeedbackStore</c>: it feeds the monitor's rolling metrics and queues the outcome for the feedback store.
/// </summary>
/// <remarks>Implementations are thread-safe and never block on a store.</remarks>
public interface IOutcomeReporter
{
    /// <summary>Reports the observed quality of a prediction by its id.</summary>
    /// <param name="predictionId">The <see cref="QualityPredictionResult.PredictionId"/>.</param>
    /// <param name="observed">The observed quality, in the target's scale.</param>
    /// <returns><see langword="true"/> when the monitor matched the prediction or the feedback writer queued the outcome.</returns>
    /// <exception cref="ArgumentException"><paramref name="observed"/> is NaN or infinite.</exception>
    bool ReportOutcome(Guid predictionId, double observed);

    /// <summary>Reports the observed quality of a prediction given its result and, optionally, its context (for a prediction the monitor or the store did not see).</summary>
    /// <param name="result">The prediction's result.</param>
    /// <param name="observed">The observed quality, in the target's scale.</param>
    /// <param name="context">The scored context; when given, the prediction is also written to the feedback store (ignored there if already stored).</param>
    /// <param name="predictorName">The composed predictor's name, recorded with the prediction.</param>
    /// <exception cref="ArgumentNullException"><paramref name="result"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="observed"/> is NaN or infinite.</exception>
    void ReportOutcome(QualityPredictionResult result, double observed, PredictionContext? context = null, string predictorName = "");
}
