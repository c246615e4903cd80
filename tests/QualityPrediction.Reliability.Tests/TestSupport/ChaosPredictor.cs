using Polly;

namespace QualityPrediction.Reliability.Tests.TestSupport;

/// <summary>
/// Runs a real predictor through a Polly chaos pipeline (Simmy: injected exceptions, latency, bogus outcomes) so the
/// ensemble around it sees the faults a real model member could produce. Batches pass straight through.
/// </summary>
internal sealed class ChaosPredictor(IQualityPredictor inner, ResiliencePipeline<QualityPredictionResult> chaos) : IQualityPredictor, IDisposable
{
    public string Name => inner.Name;

    public QualityPredictionResult Predict(PredictionContext context) => chaos.Execute(() => inner.Predict(context));

    public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default) =>
        chaos.ExecuteAsync(ct => inner.PredictAsync(context, ct), cancellationToken);

    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default) =>
        inner.PredictBatch(contexts, results, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
