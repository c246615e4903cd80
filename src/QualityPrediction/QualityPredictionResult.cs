namespace QualityPrediction;

/// <summary>The outcome of one prediction: the score and everything needed to judge and trace it.</summary>
/// <remarks>Results are immutable; use a <c>with</c> expression to derive a changed copy.</remarks>
public sealed record QualityPredictionResult
{
    private double _score;
    private double _confidence;
    private PredictionInterval _interval;
    private Guid _predictionId;
    private DateTimeOffset _timestamp;
    private IReadOnlyList<EnsembleMemberResult> _members = [];

    /// <summary>Gets the predicted score in the target's scale, clamped to the declared range.</summary>
    public required double Score { get => _score; init => _score = value; }

    /// <summary>Gets the confidence in [0, 1]: the probability that the true score lies within the tolerance of <see cref="Score"/> (see <see cref="ConfidenceKind"/> for its basis).</summary>
    public required double Confidence { get => _confidence; init => _confidence = value; }

    /// <summary>Gets what <see cref="Confidence"/> is based on.</summary>
    public ConfidenceKind ConfidenceKind { get; init; } = ConfidenceKind.Calibrated;

    /// <summary>Gets the prediction interval.</summary>
    public PredictionInterval Interval { get => _interval; init => _interval = value; }

    /// <summary>Gets which kind of predictor answered.</summary>
    public required PredictionSource Source { get; init; }

    /// <summary>Gets the name of the model or predictor that answered (for an ensemble: the member that answered, or the ensemble's name when several were combined).</summary>
    public string? ModelName { get; init; }

    /// <summary>Gets the version of the model that answered, when it has one.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Gets what the answer rests on, e.g. which baseline level of a fitted heuristic answered (<c>model</c>, <c>provider</c>, <c>global</c>).</summary>
    public string? Basis { get; init; }

    /// <summary>Gets the identifier of this prediction, to report its observed outcome later.</summary>
    public Guid PredictionId { get => _predictionId; init => _predictionId = value; }

    /// <summary>Gets when the prediction was made.</summary>
    public DateTimeOffset Timestamp { get => _timestamp; init => _timestamp = value; }

    /// <summary>Gets, for an ensemble, each member's score, weight and status; empty otherwise.</summary>
    public IReadOnlyList<EnsembleMemberResult> Members { get => _members; init => _members = value; }

    /// <summary>Gets, when the prediction was chosen by a ranking policy, the probability with which it was selected; <see langword="null"/> otherwise.</summary>
    public double? SelectionProbability { get; init; }

    /// <summary>
    /// Turns a result that a predictor of this library has just created, and that nobody else references, into an
    /// ensemble's answer in place (no copy on the hot path). Never used on a result a caller could already hold.
    /// </summary>
    internal void CompleteAsEnsembleAnswer(double score, double confidence, PredictionInterval interval, IReadOnlyList<EnsembleMemberResult> members, Guid predictionId, DateTimeOffset timestamp)
    {
        _score = score;
        _confidence = confidence;
        _interval = interval;
        _members = members;
        _predictionId = predictionId;
        _timestamp = timestamp;
    }
}

/// <summary>One ensemble member's part in a prediction.</summary>
/// <param name="Name">The member's name.</param>
/// <param name="Score">The member's score when it answered; <see langword="null"/> otherwise.</param>
/// <param name="Weight">The member's configured weight.</param>
/// <param name="Status">Whether the member answered, and if not why.</param>
/// <param name="Reason">Why the member did not answer (exception type and message, timeout, circuit state); <see langword="null"/> when it did.</param>
/// <param name="Source">The kind of the member (model or heuristic).</param>
/// <param name="ModelVersion">The member's model version, when it has one.</param>
/// <param name="Confidence">The member's confidence when it answered.</param>
public sealed record EnsembleMemberResult(
    string Name,
    double? Score,
    double Weight,
    MemberStatus Status,
    string? Reason,
    PredictionSource Source,
    string? ModelVersion = null,
    double? Confidence = null);
