using QualityPrediction.Feedback;

namespace QualityPrediction.Reliability.Tests.Feedback;

/// <summary>Deterministic feedback records: record <c>i</c> of run <c>run</c> always has the same id, so a parent process can recompute what a child acknowledged.</summary>
internal static class FeedbackRecords
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static Guid Id(int run, int i) => new(i, (short)(run & 0x7fff), 0x4000, [0x80, 0, 0, 0, 0, 0, 0, 1]);

    public static PredictionRecord Prediction(int run, int i) => new()
    {
        PredictionId = Id(run, i),
        Predictor = "",
        Features = new Dictionary<string, FeatureValue> { ["provider"] = i % 2 == 0 ? "openai" : "anthropic", ["statValue"] = i % 20 },
        Score = 50 + (i % 10),
        Confidence = 0.7,
        Source = PredictionSource.Model,
        ModelName = "quality",
        ModelVersion = "0001",
        Timestamp = Start.AddMilliseconds(i),
    };

    public static OutcomeRecord Outcome(int run, int i) => new(Id(run, i), 50 + (i % 7), Start.AddMilliseconds(i).AddMinutes(1));
}
