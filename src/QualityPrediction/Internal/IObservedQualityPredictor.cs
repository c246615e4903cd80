namespace QualityPrediction.Internal;

/// <summary>A predictor whose observers (monitor, feedback writer) can be told about a prediction later: the ranker predicts every candidate unobserved, then records only the one it chose.</summary>
internal interface IObservedQualityPredictor
{
    /// <summary>Predicts a batch without telling the observers.</summary>
    void PredictBatchUnobserved(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken);

    /// <summary>Tells the observers about one prediction.</summary>
    void Record(PredictionContext context, QualityPredictionResult result);
}
