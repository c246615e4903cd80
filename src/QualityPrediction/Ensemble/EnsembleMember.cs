namespace QualityPrediction.Ensemble;

/// <summary>One member of an <see cref="EnsemblePredictor"/>.</summary>
/// <param name="Predictor">The member's predictor. The ensemble takes ownership and disposes it when it is <see cref="IDisposable"/>.</param>
/// <param name="Weight">The member's weight in a weighted average (finite, ≥ 0).</param>
/// <param name="IsModel">Whether the member is a model: model members run inside a resilience pipeline (timeout, circuit breaker); heuristic members are called directly.</param>
public readonly record struct EnsembleMember(IQualityPredictor Predictor, double Weight, bool IsModel)
{
    /// <summary>Creates a model member, protected by a timeout and a circuit breaker.</summary>
    /// <param name="predictor">The model predictor.</param>
    /// <param name="weight">The weight.</param>
    /// <returns>The member.</returns>
    public static EnsembleMember Model(IQualityPredictor predictor, double weight = 1) => new(predictor, weight, IsModel: true);

    /// <summary>Creates a heuristic member, called directly.</summary>
    /// <param name="predictor">The heuristic predictor.</param>
    /// <param name="weight">The weight.</param>
    /// <returns>The member.</returns>
    public static EnsembleMember Heuristic(IQualityPredictor predictor, double weight = 1) => new(predictor, weight, IsModel: false);
}
