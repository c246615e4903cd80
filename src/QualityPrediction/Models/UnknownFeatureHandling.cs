namespace QualityPrediction.Models;

/// <summary>What a model does with a context feature it does not know (see <see cref="ModelOptions.UnknownFeatures"/>).</summary>
public enum UnknownFeatureHandling
{
    /// <summary>Score without it; log a warning once per model and feature name (with a "did you mean" for a near miss) and count it in a metric.</summary>
    Warn,

    /// <summary>Throw an <see cref="ArgumentException"/> naming the feature and the model's features (to the caller, also through an ensemble).</summary>
    Throw,

    /// <summary>Score without it, silently.</summary>
    Ignore,
}
