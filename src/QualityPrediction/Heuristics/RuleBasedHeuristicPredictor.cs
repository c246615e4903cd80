using System.Globalization;
using QualityPrediction.Internal;

namespace QualityPrediction.Heuristics;

/// <summary>
/// A heuristic predictor from configured <see cref="HeuristicRules"/>:
/// <c>score = BaseScore + Σ adjustment(category) + Σ weight × (value − center)</c>, clamped to the range.
/// </summary>
/// <remarks>
/// The confidence is the configured <see cref="HeuristicRules.Confidence"/>, labelled <see cref="ConfidenceKind.Configured"/>;
/// the interval is the score ± <see cref="HeuristicRules.IntervalHalfWidth"/>, clamped, with no coverage claimed (0).
/// The rules are copied at construction; later changes to the <see cref="HeuristicRules"/> instance have no effect.
/// A missing feature, or a category without an adjustment, adds nothing. Thread-safe.
/// Each result gets a fresh <see cref="QualityPredictionResult.PredictionId"/> (a version 7 GUID); an ensemble
/// replaces it with its own, once per prediction.
/// </remarks>
public sealed class RuleBasedHeuristicPredictor : IQualityPredictor
{
    /// <summary>The <see cref="QualityPredictionResult.Basis"/> of every answer.</summary>
    public const string BasisName = "rules";

    private readonly (string Feature, Dictionary<string, double> Adjustments)[] _categorical;
    private readonly (string Feature, double Weight, double Center)[] _numeric;
    private readonly double _baseScore;
    private readonly double _confidence;
    private readonly double _halfWidth;
    private readonly ScoreRange _range;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the predictor.</summary>
    /// <param name="rules">The rules.</param>
    /// <param name="range">The score range; scores and intervals are clamped to it.</param>
    /// <param name="tolerance">The tolerance the confidence refers to (kept for reference; the configured confidence is reported as is).</param>
    /// <param name="timeProvider">Stamps <see cref="QualityPredictionResult.Timestamp"/>; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or one of its dictionaries is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The range is invalid, the tolerance is not positive, or a rule value is not finite, the confidence is outside [0, 1], or the half-width is negative.</exception>
    public RuleBasedHeuristicPredictor(HeuristicRules rules, ScoreRange range, double tolerance, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(rules.Adjustments, "rules.Adjustments");
        ArgumentNullException.ThrowIfNull(rules.Numeric, "rules.Numeric");
        range.Validate(nameof(range));
        if (!double.IsFinite(tolerance) || tolerance <= 0)
        {
            throw new ArgumentException($"The tolerance must be a positive finite number, not {tolerance.ToString(CultureInfo.InvariantCulture)}.", nameof(tolerance));
        }

        var baseScore = rules.BaseScore ?? range.Min + (0.7 * (range.Max - range.Min));
        var halfWidth = rules.IntervalHalfWidth ?? 0.15 * (range.Max - range.Min);
        RequireFinite(baseScore, "BaseScore");
        if (!(rules.Confidence is >= 0 and <= 1))
        {
            throw new ArgumentException($"Rules.Confidence must be in [0, 1], not {rules.Confidence.ToString(CultureInfo.InvariantCulture)}.", nameof(rules));
        }

        if (!double.IsFinite(halfWidth) || halfWidth < 0)
        {
            throw new ArgumentException($"Rules.IntervalHalfWidth must be a finite number ≥ 0, not {halfWidth.ToString(CultureInfo.InvariantCulture)}.", nameof(rules));
        }

        _categorical = rules.Adjustments.Select(feature =>
        {
            ArgumentNullException.ThrowIfNull(feature.Value, $"rules.Adjustments[{feature.Key}]");
            var copy = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (category, adjustment) in feature.Value)
            {
                RequireFinite(adjustment, $"Adjustments:{feature.Key}:{category}");
                copy[category] = adjustment;
            }

            return (feature.Key, copy);
        }).ToArray();
        _numeric = rules.Numeric.Select(feature =>
        {
            ArgumentNullException.ThrowIfNull(feature.Value, $"rules.Numeric[{feature.Key}]");
            RequireFinite(feature.Value.Weight, $"Numeric:{feature.Key}:Weight");
            RequireFinite(feature.Value.Center, $"Numeric:{feature.Key}:Center");
            return (feature.Key, feature.Value.Weight, feature.Value.Center);
        }).ToArray();
        _baseScore = baseScore;
        _confidence = rules.Confidence;
        _halfWidth = halfWidth;
        _range = range;
        Tolerance = tolerance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    /// <value>Always <c>heuristic</c>.</value>
    public string Name => "heuristic";

    /// <summary>Gets the tolerance the confidence refers to.</summary>
    public double Tolerance { get; }

    /// <inheritdoc />
    public QualityPredictionResult Predict(PredictionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var score = _baseScore;
        foreach (var (feature, adjustments) in _categorical)
        {
            if (Features.GetCategory(context, feature, Name) is { } category && adjustments.TryGetValue(category, out var adjustment))
            {
                score += adjustment;
            }
        }

        foreach (var (feature, weight, center) in _numeric)
        {
            if (Features.TryGetNumber(context, feature, Name, out var value))
            {
                score += weight * (value - center);
            }
        }

        score = _range.Clamp(score);
        var now = _timeProvider.GetUtcNow();
        return new QualityPredictionResult
        {
            Score = score,
            Confidence = _confidence,
            ConfidenceKind = ConfidenceKind.Configured,
            Interval = new PredictionInterval(_range.Clamp(score - _halfWidth), _range.Clamp(score + _halfWidth), 0),
            Source = PredictionSource.Heuristic,
            ModelName = Name,
            Basis = BasisName,
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

    private static void RequireFinite(double value, string path)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Rules.{path} must be finite, not {value.ToString(CultureInfo.InvariantCulture)}.", "rules");
        }
    }
}
