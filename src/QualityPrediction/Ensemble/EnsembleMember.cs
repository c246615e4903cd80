using QualityPrediction.Models;

namespace QualityPrediction.Ensemble;

/// <summary>One member of an <see cref="EnsemblePredictor"/>: a model of a catalog, another predictor run as a model, or a heuristic.</summary>
/// <remarks>The ensemble does not own its members: the catalog, and predictors passed in, are disposed by whoever created them.</remarks>
public readonly record struct EnsembleMember
{
    private EnsembleMember(IQualityPredictor? predictor, IModelCatalog? catalog, string name, double weight, bool isModel)
    {
        Predictor = predictor;
        Catalog = catalog;
        Name = name;
        Weight = weight;
        IsModel = isModel;
    }

    /// <summary>Gets the member's predictor; <see langword="null"/> for a model of a catalog (see <see cref="Catalog"/>).</summary>
    public IQualityPredictor? Predictor { get; }

    /// <summary>Gets the catalog of a catalog model member; <see langword="null"/> otherwise.</summary>
    public IModelCatalog? Catalog { get; }

    /// <summary>Gets the member's name: the model's name in its catalog, or the predictor's <see cref="IQualityPredictor.Name"/>.</summary>
    public string Name { get; }

    /// <summary>Gets the member's weight in a weighted average (finite, ≥ 0).</summary>
    public double Weight { get; }

    /// <summary>Gets whether the member is a model: model members run under the member timeout and, when configured, a circuit breaker; heuristic members are called directly.</summary>
    public bool IsModel { get; }

    /// <summary>Creates a member for one model of a catalog. A model with no version live reports <see cref="MemberStatus.NotLoaded"/> at once, without a call or an exception, and never counts as a failure for the circuit breaker.</summary>
    /// <param name="catalog">The catalog that loads the model.</param>
    /// <param name="modelName">The model's name in the catalog.</param>
    /// <param name="weight">The weight.</param>
    /// <returns>The member.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> or <paramref name="modelName"/> is <see langword="null"/>.</exception>
    public static EnsembleMember Model(IModelCatalog catalog, string modelName, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(modelName);
        return new(null, catalog, modelName, weight, isModel: true);
    }

    /// <summary>Creates a model member from any predictor (for example a remote model), protected by the member timeout and a circuit breaker.</summary>
    /// <param name="predictor">The predictor.</param>
    /// <param name="weight">The weight.</param>
    /// <returns>The member.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predictor"/> is <see langword="null"/>.</exception>
    public static EnsembleMember Model(IQualityPredictor predictor, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        return new(predictor, null, predictor.Name, weight, isModel: true);
    }

    /// <summary>Creates a heuristic member, called directly.</summary>
    /// <param name="predictor">The heuristic predictor.</param>
    /// <param name="weight">The weight.</param>
    /// <returns>The member.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predictor"/> is <see langword="null"/>.</exception>
    public static EnsembleMember Heuristic(IQualityPredictor predictor, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        return new(predictor, null, predictor.Name, weight, isModel: false);
    }
}
