using QualityPrediction.Internal;

namespace QualityPrediction.Heuristics;

/// <summary>
/// Predicts from a <see cref="FittedHeuristicModel"/>: the most specific baseline the context reaches in the hierarchy
/// (an unseen model falls back to its provider, an unseen provider to the global mean) plus the factor effects.
/// </summary>
/// <remarks>
/// <see cref="QualityPredictionResult.Basis"/> names the level that answered, e.g. <c>model:gpt-4o-mini</c>,
/// <c>provider:openai</c> or <c>global</c>; the confidence (<see cref="ConfidenceKind.Calibrated"/>, from in-sample
/// residuals) and the interval come from that level's residual statistics. Thread-safe; the hot path only allocates
/// the result. Each result gets a fresh <see cref="QualityPredictionResult.PredictionId"/> (a version 7 GUID); an ensemble
/// replaces it with its own, once per prediction.
/// </remarks>
public sealed class FittedHeuristicPredictor : IQualityPredictor
{
    private readonly Node _root;
    private readonly string[] _hierarchy;
    private readonly (string Feature, Dictionary<string, double> Effects)[] _factors;
    private readonly ScoreRange _range;
    private readonly double _coverage;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the predictor.</summary>
    /// <param name="model">The fitted model.</param>
    /// <param name="timeProvider">Stamps <see cref="QualityPredictionResult.Timestamp"/>; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is <see langword="null"/>.</exception>
    public FittedHeuristicPredictor(FittedHeuristicModel model, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _range = model.Range;
        _coverage = model.Coverage;
        _hierarchy = [.. model.Hierarchy];
        _root = Node.Build(model.Root, "global", null, _hierarchy, 0);
        _factors = model.Factors.Select(f => (f.Feature, f.Effects.ToDictionary(e => e.Key, e => e.Value.Effect, StringComparer.Ordinal))).ToArray();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    /// <value>Always <c>heuristic</c>.</value>
    public string Name => "heuristic";

    /// <summary>Gets the fitted model.</summary>
    public FittedHeuristicModel Model { get; }

    /// <inheritdoc />
    public QualityPredictionResult Predict(PredictionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var node = _root;
        for (var level = 0; level < _hierarchy.Length; level++)
        {
            var category = Features.GetCategory(context, _hierarchy[level], Name);
            if (category is null || node.Children is null || !node.Children.TryGetValue(category, out var child))
            {
                break;
            }

            node = child;
        }

        var score = node.Estimate;
        for (var f = 0; f < _factors.Length; f++)
        {
            var (feature, effects) = _factors[f];
            if (Features.GetCategory(context, feature, Name) is { } category && effects.TryGetValue(category, out var effect))
            {
                score += effect;
            }
        }

        score = _range.Clamp(score);
        var now = _timeProvider.GetUtcNow();
        return new QualityPredictionResult
        {
            Score = score,
            Confidence = node.Confidence,
            ConfidenceKind = ConfidenceKind.Calibrated,
            Interval = new PredictionInterval(_range.Clamp(score - node.HalfWidth), _range.Clamp(score + node.HalfWidth), _coverage),
            Source = PredictionSource.Heuristic,
            ModelName = Name,
            ModelVersion = Model.Version,
            Basis = node.Basis,
            PredictionId = PredictionIds.Next(now),
            Timestamp = now,
        };
    }

    /// <inheritdoc />
    public ValueTask<QualityPredictionResult> PredictAsync(PredictionContext context, CancellationToken cancellationToken = default) =>
        Features.PredictNow(this, context, cancellationToken);

    /// <inheritdoc />
    public void PredictBatch(ReadOnlySpan<PredictionContext> contexts, Span<QualityPredictionResult> results, CancellationToken cancellationToken = default) =>
        Features.PredictEach(this, contexts, results, cancellationToken);

    private sealed class Node
    {
        private Node(string basis, double estimate, FittedResiduals residuals)
        {
            Basis = basis;
            Estimate = estimate;
            HalfWidth = residuals.HalfWidth;
            Confidence = residuals.WithinTolerance;
        }

        public string Basis { get; }

        public double Estimate { get; }

        public double HalfWidth { get; }

        public double Confidence { get; }

        public Dictionary<string, Node>? Children { get; private set; }

        public static Node Build(FittedBaseline baseline, string basis, FittedResiduals? parentResiduals, string[] hierarchy, int depth)
        {
            var residuals = baseline.Residuals ?? parentResiduals ?? throw new FormatException($"The baseline '{basis}' has no residual statistics and no parent to borrow them from.");
            var node = new Node(basis, baseline.Estimate, residuals);
            if (baseline.Children.Count > 0 && depth < hierarchy.Length)
            {
                node.Children = baseline.Children.ToDictionary(
                    c => c.Key,
                    c => Build(c.Value, $"{hierarchy[depth]}:{c.Key}", residuals, hierarchy, depth + 1),
                    StringComparer.Ordinal);
            }

            return node;
        }
    }
}
