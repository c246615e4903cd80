namespace QualityPrediction.Training.Registry;

/// <summary>What <see cref="ModelPromotion"/> decided for moving an alias to a version, and why.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Version">The version.</param>
/// <param name="Alias">The alias.</param>
/// <param name="Previous">The version the alias pointed at before, if any.</param>
/// <param name="Champion">The champion before the decision, if any (the version compared with).</param>
/// <param name="Promoted">Whether the alias moves (or already pointed at the version).</param>
/// <param name="Forced">Whether it moves only because <see cref="PromotionRule"/> was overridden.</param>
/// <param name="Comparison">The paired comparison of the version with the champion on the rows both were evaluated on; <see langword="null"/> when there is no other champion or they share fewer than 10 rows.</param>
/// <param name="Decision">The decision in one sentence, with its evidence (for <c>champion</c>, <see cref="PromotionRule"/>'s reason).</param>
public sealed record PromotionOutcome(
    string Model,
    string Version,
    string Alias,
    string? Previous,
    string? Champion,
    bool Promoted,
    bool Forced,
    ComparisonResult? Comparison,
    string Decision);
