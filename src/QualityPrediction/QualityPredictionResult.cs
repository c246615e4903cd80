namespace QualityPrediction;

/// <summary>The outcome of one prediction: the score and everything needed to judge and trace it.</summary>
/// <remarks>Results are immutable; use a <c>with</c> expression to derive a changed copy.</remarks>
public sealed record QualityPredictionResult
{

    /// <summary>Gets the predicted score in the target's scale, clamped to the declared range.</summary>
    public required double Score { get; init; }

    /// <summary>Gets the confidence in [0, 1]: the probability that the true score lies within the tolerance of <see cref="Score"/> (see <see cref="ConfidenceKind"/> for its basis).</summary>
    public required double Confidence { get; init; }

    /// <summary>Gets what <see cref="Confidence"/> is based on.</summary>
    public ConfidenceKind ConfidenceKind { get; init; } = ConfidenceKind.Calibrated;

    /// <summary>Gets the prediction interval.</summary>
    public PredictionInterval Interval { get; init; }

    /// <summary>Gets which kind of predictor answered.</summary>
    public required PredictionSource Source { get; init; }

    /// <summary>Gets the name of the model or predictor that answered (for an ensemble: the member that answered, or the ensemble's name when several were combined).</summary>
    public string? ModelName { get; init; }

    /// <summary>Gets the version of the model that answered, when it has one.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Gets what the answer rests on, e.g. which baseline level of a fitted heuristic answered (<c>model</c>, <c>provider</c>, <c>global</c>).</summary>
    public string? Basis { get; init; }

    /// <summary>Gets the identifier of this prediction, to report its observed outcome later.</summary>
    public Guid PredictionId { get; init; }

    /// <summary>Gets when the prediction was made.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets, for an ensemble, each member's score, weight and status; empty otherwise.</summary>
    public IReadOnlyList<EnsembleMemberResult> Members { get; init; } = [];

    /// <summary>Gets how many of the answering model's features the context supplied; <see langword="null"/> when no model answered alone (a heuristic, an average, the default).</summary>
    /// <remarks>Compare with <see cref="FeaturesExpected"/>: a model scoring a context that carries few of its features answers from its imputed values.</remarks>
    public int? FeaturesSupplied { get; init; }

    /// <summary>Gets how many features the answering model reads from a context; <see langword="null"/> when no model answered alone.</summary>
    public int? FeaturesExpected { get; init; }

    /// <summary>Gets, when the prediction was chosen by a ranking policy, the probability with which it was selected; <see langword="null"/> otherwise.</summary>
    public double? SelectionProbability { get; init; }
}
