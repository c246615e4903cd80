using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace QualityPrediction;

/// <summary>
/// The named features describing one piece of content to score: numbers (finite) and categories (strings).
/// </summary>
/// <remarks>
/// Build one in a line with a collection initializer, <c>new PredictionContext { ["provider"] = "openai", ["statValue"] = 14 }</c>,
/// or with the fluent helpers, <c>new PredictionContext().WithProvider("openai").WithModel("gpt-4o-mini")</c>.
/// Feature names are case-sensitive. A context is not thread-safe while it is being built; once built it may
/// be read by any number of predictors concurrently.
/// </remarks>
public sealed class PredictionContext : IEnumerable<KeyValuePair<string, FeatureValue>>
{
    private readonly Dictionary<string, FeatureValue> _features;

    /// <summary>Creates an empty context.</summary>
    public PredictionContext()
    {
        _features = new Dictionary<string, FeatureValue>(StringComparer.Ordinal);
    }

    /// <summary>Creates a context holding a copy of <paramref name="features"/>.</summary>
    /// <param name="features">The features to copy.</param>
    /// <exception cref="ArgumentNullException"><paramref name="features"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A feature name is empty or whitespace.</exception>
    public PredictionContext(IEnumerable<KeyValuePair<string, FeatureValue>> features)
        : this()
    {
        ArgumentNullException.ThrowIfNull(features);
        foreach (var (name, value) in features)
        {
            Set(name, value);
        }
    }

    /// <summary>Gets the number of features.</summary>
    public int Count => _features.Count;

    /// <summary>Gets the features for allocation-free enumeration inside the library.</summary>
    internal Dictionary<string, FeatureValue> Features => _features;

    /// <summary>Gets the feature names.</summary>
    public IEnumerable<string> Names => _features.Keys;

    /// <summary>Gets or sets a feature.</summary>
    /// <param name="name">The feature name.</param>
    /// <returns>The feature value.</returns>
    /// <exception cref="KeyNotFoundException">Getting a feature that is not present.</exception>
    /// <exception cref="ArgumentException">Setting a feature with an empty name.</exception>
    public FeatureValue this[string name]
    {
        get => _features.TryGetValue(name, out var value)
            ? value
            : throw new KeyNotFoundException($"The context has no feature named '{name}'.");
        set => Set(name, value);
    }

    /// <summary>Sets a feature, replacing any previous value of that name.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="value">The value.</param>
    /// <returns>This context, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or whitespace.</exception>
    public PredictionContext Set(string name, FeatureValue value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _features[name] = value;
        return this;
    }

    /// <summary>Sets a numeric feature.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="value">A finite number.</param>
    /// <returns>This context, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or <paramref name="value"/> is NaN or infinite (the message names the feature).</exception>
    public PredictionContext Set(string name, double value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Feature '{name}' must be a finite number, not {value}.", nameof(value));
        }

        _features[name] = FeatureValue.Numeric(value);
        return this;
    }

    /// <summary>Sets a categorical feature.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="value">The category.</param>
    /// <returns>This context, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public PredictionContext Set(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value, name);
        _features[name] = FeatureValue.Categorical(value);
        return this;
    }

    /// <summary>Adds a feature; lets a collection initializer take <c>{ "name", value }</c> pairs.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="value">The value.</param>
    public void Add(string name, FeatureValue value) => Set(name, value);

    /// <summary>Removes a feature.</summary>
    /// <param name="name">The feature name.</param>
    /// <returns><see langword="true"/> when the feature was present.</returns>
    public bool Remove(string name) => _features.Remove(name);

    /// <summary>Returns whether the context has a feature of that name.</summary>
    /// <param name="name">The feature name.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(string name) => _features.ContainsKey(name);

    /// <summary>Gets a feature if present.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="value">The value when present.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGetValue(string name, out FeatureValue value) => _features.TryGetValue(name, out value);

    /// <summary>Gets a categorical feature if present and categorical.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="value">The category when present.</param>
    /// <returns><see langword="true"/> when present and categorical.</returns>
    public bool TryGetCategory(string name, [NotNullWhen(true)] out string? value)
    {
        if (_features.TryGetValue(name, out var feature) && feature.Category is { } category)
        {
            value = category;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Gets a numeric feature if present and numeric.</summary>
    /// <param name="name">The feature name.</param>
    /// <param name="value">The number when present.</param>
    /// <returns><see langword="true"/> when present and numeric.</returns>
    public bool TryGetNumber(string name, out double value)
    {
        if (_features.TryGetValue(name, out var feature) && feature.Kind == FeatureKind.Numeric)
        {
            value = feature.Number;
            return true;
        }

        value = double.NaN;
        return false;
    }

    /// <summary>Sets <see cref="WellKnownFeatures.Provider"/>.</summary>
    /// <param name="provider">The provider, e.g. <c>openai</c>.</param>
    /// <returns>This context.</returns>
    public PredictionContext WithProvider(string provider) => Set(WellKnownFeatures.Provider, provider);

    /// <summary>Sets <see cref="WellKnownFeatures.Model"/>.</summary>
    /// <param name="model">The model name.</param>
    /// <returns>This context.</returns>
    public PredictionContext WithModel(string model) => Set(WellKnownFeatures.Model, model);

    /// <summary>Sets <see cref="WellKnownFeatures.ActionType"/>.</summary>
    /// <param name="actionType">The action type.</param>
    /// <returns>This context.</returns>
    public PredictionContext WithActionType(string actionType) => Set(WellKnownFeatures.ActionType, actionType);

    /// <summary>Sets <see cref="WellKnownFeatures.Scenario"/>.</summary>
    /// <param name="scenarioId">The scenario identifier.</param>
    /// <returns>This context.</returns>
    public PredictionContext WithScenario(string scenarioId) => Set(WellKnownFeatures.Scenario, scenarioId);

    /// <summary>Sets <see cref="WellKnownFeatures.RollType"/>.</summary>
    /// <param name="rollType">The roll type.</param>
    /// <returns>This context.</returns>
    public PredictionContext WithRollType(string rollType) => Set(WellKnownFeatures.RollType, rollType);

    /// <summary>Sets <see cref="WellKnownFeatures.StatName"/> and <see cref="WellKnownFeatures.StatValue"/>.</summary>
    /// <param name="statName">The stat's name.</param>
    /// <param name="statValue">The stat's value.</param>
    /// <returns>This context.</returns>
    public PredictionContext WithStat(string statName, double statValue) =>
        Set(WellKnownFeatures.StatName, statName).Set(WellKnownFeatures.StatValue, statValue);

    /// <summary>Sets <see cref="WellKnownFeatures.PromptTokens"/>.</summary>
    /// <param name="promptTokens">The prompt size in tokens.</param>
    /// <returns>This context.</returns>
    public PredictionContext WithPromptTokens(double promptTokens) => Set(WellKnownFeatures.PromptTokens, promptTokens);

    /// <summary>Creates a copy of this context that can be changed independently.</summary>
    /// <returns>The copy.</returns>
    public PredictionContext Clone() => new(_features);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, FeatureValue>> GetEnumerator() => _features.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
