namespace QualityPrediction.Feedback;

/// <summary>Which prediction ids a store already holds a prediction for, and which an outcome for (see <see cref="IFeedbackStore.FindStoredAsync"/>).</summary>
/// <param name="Predictions">The ids with a stored prediction.</param>
/// <param name="Outcomes">The ids with a stored outcome.</param>
public sealed record StoredFeedbackIds(IReadOnlySet<Guid> Predictions, IReadOnlySet<Guid> Outcomes)
{
    /// <summary>Gets the answer "none of them".</summary>
    public static StoredFeedbackIds None { get; } = new(new HashSet<Guid>(), new HashSet<Guid>());
}
