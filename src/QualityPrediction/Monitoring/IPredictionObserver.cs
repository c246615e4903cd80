namespace QualityPrediction.Monitoring;

/// <summary>
/// Sees every prediction the composed predictor returns (for the feedback store and the monitor).
/// Implementations must be thread-safe, fast and must never throw or block: queue work and return.
/// </summary>
public interface IPredictionObserver
{
    /// <summary>Called after each prediction, on the caller's thread.</summary>
    /// <param name="predictorName">The name of the composed predictor (empty for the default one).</param>
    /// <param name="context">The context that was scored. Observers that keep it must copy what they need now: the caller may reuse it.</param>
    /// <param name="result">The result returned to the caller.</param>
    void OnPrediction(string predictorName, PredictionContext context, QualityPredictionResult result);
}
