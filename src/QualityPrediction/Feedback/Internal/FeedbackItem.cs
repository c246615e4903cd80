namespace QualityPrediction.Feedback.Internal;

/// <summary>One entry of the writer's queue: a prediction, an outcome, or a flush marker, with its estimated size in memory.</summary>
internal sealed class FeedbackItem
{
    public PredictionRecord? Prediction { get; init; }

    public OutcomeRecord? Outcome { get; init; }

    public TaskCompletionSource? Flushed { get; init; }

    /// <summary>Gets the estimated bytes the entry keeps alive while it waits (counted against <see cref="FeedbackWriterOptions.MaxQueueBytes"/>).</summary>
    public long Bytes { get; init; }

    /// <summary>Estimates the memory a prediction record keeps alive: its strings (two bytes a character) and a fixed overhead per record and per feature.</summary>
    public static long EstimateBytes(PredictionRecord record)
    {
        long bytes = 256 + (2L * ((record.Predictor?.Length ?? 0) + (record.ModelName?.Length ?? 0) + (record.ModelVersion?.Length ?? 0)));
        foreach (var (name, value) in record.Features)
        {
            bytes += 48 + (2L * name.Length) + (2L * (value.Category?.Length ?? 0));
        }

        return bytes;
    }

    public const long OutcomeBytes = 96;
}
