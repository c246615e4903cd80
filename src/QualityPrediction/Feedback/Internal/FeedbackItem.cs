namespace QualityPrediction.Feedback.Internal;

/// <summary>One entry of the writer's queue: a prediction, an outcome, or a flush marker.</summary>
internal sealed class FeedbackItem
{
    public PredictionRecord? Prediction { get; init; }

    public OutcomeRecord? Outcome { get; init; }

    public TaskCompletionSource? Flushed { get; init; }
}
