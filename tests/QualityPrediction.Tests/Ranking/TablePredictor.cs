using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

/// <summary>A fixed lookup predictor: answers the configured prediction for the context's <c>model</c> feature. Counts its calls.</summary>
internal sealed class TablePredictor : IQualityPredictor
{
    private readonly Dictionary<string, (double Score, double Confidence, PredictionInterval Interval)> _table = new(StringComparer.Ordinal);
    private int _batchCalls;
    private int _singleCalls;

    public string Name => "table";

    public int BatchCalls => Volatile.Read(ref _batchCalls);

    public int SingleCalls => Volatile.Read(ref _singleCalls);

    public List<PredictionContext> LastBatch { get; private set; } = [];

    public TablePredictor Add(string model, double score, double confidence = 0.8, double halfWidth = 0.1, double coverage = 0.9)
    {
        _table[model] = (score, confidence, new PredictionInterval(score - halfWidth, score + halfWidth, coverage));
        return this;
    }

    public QualityPredictionResult Predict(PredictionContext context)
    {
        Interlocked.Increment(ref _singleCalls);
        return Answer(context);
    }

    public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Predict(context));
    }

    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _batchCalls);
        LastBatch = [.. contexts];
        for (var i = 0; i < contexts.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results[i] = Answer(contexts[i]);
        }
    }

    private QualityPredictionResult Answer(PredictionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = context.TryGetCategory(WellKnownFeatures.Model, out var name) ? name : "";
        var (score, confidence, interval) = _table.TryGetValue(model, out var row) ? row : (0.5, 0.5, new PredictionInterval(0.4, 0.6, 0.9));
        return new QualityPredictionResult
        {
            Score = score,
            Confidence = confidence,
            Interval = interval,
            Source = PredictionSource.Model,
            ModelName = Name,
            PredictionId = Guid.NewGuid(),
        };
    }
}

/// <summary>Builds ranked candidate lists directly, for policy tests.</summary>
internal static class Ranked
{
    /// <summary>Builds candidates in the given order (callers pass them by descending score, as the ranker does).</summary>
    public static RankedCandidate[] Of(params (string Name, double Score, double Confidence, double Lower, double Upper, double? Cost)[] rows)
    {
        var result = new RankedCandidate[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var (name, score, confidence, lower, upper, cost) = rows[i];
            var prediction = new QualityPredictionResult
            {
                Score = score,
                Confidence = confidence,
                Interval = new PredictionInterval(lower, upper, 0.9),
                Source = PredictionSource.Model,
            };
            result[i] = new RankedCandidate(new RankingCandidate(name, cost: cost), new PredictionContext(), prediction, i + 1);
        }

        return result;
    }

    /// <summary>Candidates with a score and a symmetric 90% interval of the given half-width.</summary>
    public static RankedCandidate[] Scores(params (string Name, double Score, double HalfWidth)[] rows) =>
        Of([.. rows.Select(r => (r.Name, r.Score, 0.8, r.Score - r.HalfWidth, r.Score + r.HalfWidth, (double?)null))]);

    /// <summary>Counts how often <paramref name="policy"/> chooses each index over <paramref name="draws"/> calls.</summary>
    public static double[] Frequencies(RankingPolicy policy, IReadOnlyList<RankedCandidate> candidates, int draws, int seed)
    {
        var random = new Random(seed);
        var counts = new double[candidates.Count];
        for (var i = 0; i < draws; i++)
        {
            counts[policy.Choose(candidates, random)]++;
        }

        return [.. counts.Select(c => c / draws)];
    }
}
