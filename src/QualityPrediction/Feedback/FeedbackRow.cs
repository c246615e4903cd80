namespace QualityPrediction.Feedback;

/// <summary>A prediction joined with its observed outcome: one row of training data.</summary>
/// <param name="Prediction">The prediction.</param>
/// <param name="Outcome">The outcome.</param>
public sealed record FeedbackRow(PredictionRecord Prediction, OutcomeRecord Outcome);

/// <summary>How many records a feedback store holds.</summary>
/// <param name="Predictions">Distinct predictions.</param>
/// <param name="Outcomes">Distinct outcomes.</param>
/// <param name="Joined">Outcomes whose prediction is present: the rows available for training.</param>
public sealed record FeedbackCounts(long Predictions, long Outcomes, long Joined);
