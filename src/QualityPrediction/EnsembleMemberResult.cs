namespace QualityPrediction;

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
