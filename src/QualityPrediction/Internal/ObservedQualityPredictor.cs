using Microsoft.Extensions.Logging;
using QualityPrediction.Monitoring;

namespace QualityPrediction.Internal;

/// <summary>Passes every prediction of the composed predictor to the registered <see cref="IPredictionObserver"/>s; an observer that throws is logged and ignored.</summary>
internal sealed class ObservedQualityPredictor(IQualityPredictor inner, string name, IPredictionObserver[] observers, ILogger logger) : IQualityPredictor, IObservedQualityPredictor, IDisposable
{
    public string Name => inner.Name;

    public void PredictBatchUnobserved(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken) =>
        inner.PredictBatch(contexts, results, cancellationToken);

    public void Record(PredictionContext context, QualityPredictionResult result) => Notify(context, result);

    public QualityPredictionResult Predict(PredictionContext context)
    {
        var result = inner.Predict(context);
        Notify(context, result);
        return result;
    }

    public async ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default)
    {
        var result = await inner.PredictAsync(context, cancellationToken).ConfigureAwait(false);
        Notify(context, result);
        return result;
    }

    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
    {
        inner.PredictBatch(contexts, results, cancellationToken);
        for (var i = 0; i < contexts.Length; i++)
        {
            Notify(contexts[i], results[i]);
        }
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    /// <summary>Passes one prediction to the observers (used by the ranker for the chosen candidate only).</summary>
    public void Notify(PredictionContext context, QualityPredictionResult result)
    {
        foreach (var observer in observers)
        {
            try
            {
                observer.OnPrediction(name, context, result);
            }
#pragma warning disable CA1031 // An observer must never break a prediction.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ObserverFailed(logger, Name, observer.GetType().Name, ex);
            }
        }
    }
}
