namespace QualityPrediction;

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

    /// <summary>The member's model declined the context without a fault: it supplies none of the model's features, a value is of another kind than the live version's schema says, or the live version's target range differs from the predictor's (the reason says which). Not counted by the circuit breaker.</summary>
    Declined,
}
