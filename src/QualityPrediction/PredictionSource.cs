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

/// <summary>The state of one ensemble member for one prediction.</summary>
public enum MemberStatus
{
    /// <summary>The member answered.</summary>
    Ok,

    /// <summary>The member threw; see <see cref="EnsembleMemberResult.Reason"/>.</summary>
    Failed,

    /// <summary>The member did not answer within its timeout and was cancelled.</summary>
    TimedOut,

    /// <summary>The member's circuit breaker is open after repeated failures, so it was not called.</summary>
    CircuitOpen,

    /// <summary>The member has no model loaded (missing, refused or still loading).</summary>
    NotLoaded,

    /// <summary>The member was not needed (a priority chain stopped at an earlier member).</summary>
    Skipped,
}

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
