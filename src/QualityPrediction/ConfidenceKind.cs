namespace QualityPrediction;

/// <summary>What a <see cref="QualityPredictionResult.Confidence"/> value is based on.</summary>
public enum ConfidenceKind
{
    /// <summary>Measured on held-out data: the probability that the true score lies within the tolerance.</summary>
    Calibrated,

    /// <summary>A fixed value set in configuration; not measured.</summary>
    Configured,

    /// <summary>No basis: the default answer when nothing else could answer.</summary>
    None,
}
