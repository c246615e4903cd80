namespace QualityPrediction.Feedback;

/// <summary>The observed quality of one earlier prediction.</summary>
/// <param name="PredictionId">The prediction's identifier.</param>
/// <param name="Observed">The observed quality, in the target's scale.</param>
/// <param name="Timestamp">When the outcome was observed.</param>
public sealed record OutcomeRecord(Guid PredictionId, double Observed, DateTimeOffset Timestamp);
