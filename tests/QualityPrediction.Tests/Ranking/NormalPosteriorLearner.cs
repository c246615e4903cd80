using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Tests.Ranking;

/// <summary>
/// A small Bayesian learner used by the exploration simulation: for every candidate (the context's <c>model</c>
/// feature) it keeps a normal belief about the candidate's mean quality, starting from a prior and updated with each
/// observed outcome (normal likelihood with known noise). It predicts the posterior mean, a 90% credible interval
/// that shrinks as evidence accumulates, and the posterior probability that the mean lies within the tolerance.
/// When the context has an <c>actionType</c>, beliefs are kept per model and action type (key <c>model|actionType</c>).
/// </summary>
internal sealed class NormalPosteriorLearner : IQualityPredictor
{
    private const double Coverage = 0.9;
    private static readonly double Z = NormalDistribution.Quantile(0.5 * (1 + Coverage));

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Belief> _beliefs = new(StringComparer.Ordinal);
    private readonly double _noiseVariance;
    private readonly double _tolerance;

    public NormalPosteriorLearner(double noiseDeviation, double tolerance)
    {
        _noiseVariance = noiseDeviation * noiseDeviation;
        _tolerance = tolerance;
    }

    public string Name => "normal-posterior";

    public void SetPrior(string candidate, double mean, double deviation)
    {
        lock (_gate)
        {
            _beliefs[candidate] = new Belief(mean / (deviation * deviation), 1 / (deviation * deviation), 0);
        }
    }

    /// <summary>Updates the belief about <paramref name="candidate"/> with one observed outcome.</summary>
    public void Observe(string candidate, double outcome)
    {
        lock (_gate)
        {
            var belief = _beliefs[candidate];
            _beliefs[candidate] = new Belief(belief.WeightedSum + (outcome / _noiseVariance), belief.Precision + (1 / _noiseVariance), belief.Observations + 1);
        }
    }

    public int Observations(string candidate)
    {
        lock (_gate)
        {
            return _beliefs[candidate].Observations;
        }
    }

    public QualityPredictionResult Predict(PredictionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.TryGetCategory(WellKnownFeatures.Model, out var model))
        {
            throw new ArgumentException("The context has no 'model' feature.", nameof(context));
        }

        model = KeyOf(context, model);

        Belief belief;
        lock (_gate)
        {
            belief = _beliefs[model];
        }

        var mean = belief.WeightedSum / belief.Precision;
        var deviation = Math.Sqrt(1 / belief.Precision);
        return new QualityPredictionResult
        {
            Score = mean,
            Confidence = (2 * NormalDistribution.Cdf(_tolerance / deviation)) - 1,
            Interval = new PredictionInterval(mean - (Z * deviation), mean + (Z * deviation), Coverage),
            Source = PredictionSource.Model,
            ModelName = Name,
            Basis = model,
        };
    }

    /// <summary>The belief key for a context: the model, or <c>model|actionType</c> when the context has an action type.</summary>
    public static string KeyOf(PredictionContext context, string model) =>
        context.TryGetCategory(WellKnownFeatures.ActionType, out var actionType) ? $"{model}|{actionType}" : model;

    public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Predict(context));
    }

    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < contexts.Length)
        {
            throw new ArgumentException("The results span is shorter than the contexts span.", nameof(results));
        }

        for (var i = 0; i < contexts.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results[i] = Predict(contexts[i]);
        }
    }

    private readonly record struct Belief(double WeightedSum, double Precision, int Observations);
}
