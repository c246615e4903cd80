using System.Collections.ObjectModel;
using System.Globalization;

namespace QualityPrediction.Ranking;

/// <summary>
/// One option to rank, such as a provider/model pair: a unique name, the features it sets on a copy of the base
/// context, and an optional cost.
/// </summary>
/// <remarks>
/// Instances are immutable and may be reused across calls and threads. A candidate that sets no feature is scored
/// on the base context itself, without a copy.
/// </remarks>
public sealed class RankingCandidate
{
    private static readonly ReadOnlyDictionary<string, FeatureValue> NoFeatures = new(new Dictionary<string, FeatureValue>(StringComparer.Ordinal));

    /// <summary>Creates a candidate.</summary>
    /// <param name="name">The candidate's name, unique within one ranking call (compared ordinally), e.g. <c>openai/gpt-4o-mini</c>.</param>
    /// <param name="features">The features this candidate sets on its copy of the base context (replacing any base value of the same name); <see langword="null"/> for none.</param>
    /// <param name="cost">The cost of choosing this candidate (any unit, the same for every candidate of a call), or <see langword="null"/> when unknown. Cost-aware policies require it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or whitespace, a feature name is empty or whitespace, or a feature is given twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative, NaN or infinite.</exception>
    public RankingCandidate(string name, IEnumerable<KeyValuePair<string, FeatureValue>>? features = null, double? cost = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (cost is { } value && !(double.IsFinite(value) && value >= 0))
        {
            throw new ArgumentOutOfRangeException(
                nameof(cost),
                value,
                string.Create(CultureInfo.InvariantCulture, $"The cost of candidate '{name}' must be a finite number ≥ 0, not {value}."));
        }

        Name = name;
        Cost = cost;
        if (features is null)
        {
            Features = NoFeatures;
            return;
        }

        var copy = new Dictionary<string, FeatureValue>(StringComparer.Ordinal);
        foreach (var (featureName, featureValue) in features)
        {
            if (string.IsNullOrWhiteSpace(featureName))
            {
                throw new ArgumentException($"Candidate '{name}' has a feature with an empty name.", nameof(features));
            }

            if (!copy.TryAdd(featureName, featureValue))
            {
                throw new ArgumentException($"Candidate '{name}' sets feature '{featureName}' more than once.", nameof(features));
            }
        }

        Features = copy.Count == 0 ? NoFeatures : new ReadOnlyDictionary<string, FeatureValue>(copy);
    }

    /// <summary>Gets the candidate's name, unique within one ranking call.</summary>
    public string Name { get; }

    /// <summary>Gets the features this candidate sets on its copy of the base context.</summary>
    public IReadOnlyDictionary<string, FeatureValue> Features { get; }

    /// <summary>Gets the cost of choosing this candidate, or <see langword="null"/> when unknown.</summary>
    public double? Cost { get; }

    /// <summary>Creates the candidate for a provider/model pair: named <c>provider/model</c>, setting <see cref="WellKnownFeatures.Provider"/> and <see cref="WellKnownFeatures.Model"/>.</summary>
    /// <param name="provider">The provider, e.g. <c>openai</c>.</param>
    /// <param name="model">The model, e.g. <c>gpt-4o-mini</c>.</param>
    /// <param name="cost">The optional cost.</param>
    /// <returns>The candidate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> or <paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="provider"/> or <paramref name="model"/> is empty or whitespace.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative, NaN or infinite.</exception>
    public static RankingCandidate ForModel(string provider, string model, double? cost = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return new RankingCandidate(
            $"{provider}/{model}",
            [
                new(WellKnownFeatures.Provider, FeatureValue.Categorical(provider)),
                new(WellKnownFeatures.Model, FeatureValue.Categorical(model)),
            ],
            cost);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
