namespace QualityPrediction;

/// <summary>Which kind of predictor produced a <see cref="QualityPredictionResult"/>.</summary>
public enum PredictionSource
{
    /// <summary>A trained ML model (ML.NET or ONNX) answered.</summary>
    Model,

    /// <summary>A heuristic predictor (configured rules or fitted baselines) answered.</summary>
    Heuristic,

    /// <summary>Several members were combined (weighted or confidence-weighted average).</summary>
    Ensemble,

    /// <summary>Nothing could answer; the configured default score was returned.</summary>
    Default,
}
