using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace QualityPrediction.Feedback.Internal;

/// <summary>Consecutive lines of one spill segment, read for replay: their records, their byte range, and which records the store may already hold.</summary>
internal sealed class SpillBatch(SpillSet set, int segment, long start)
{
    public SpillSet Set { get; } = set;

    public int Segment { get; } = segment;

    /// <summary>Gets the offset of the batch's first line.</summary>
    public long Start { get; } = start;

    /// <summary>Gets the offset after the batch's last line.</summary>
    public long End { get; set; } = start;

    public List<PredictionRecord> Predictions { get; } = [];

    public List<OutcomeRecord> Outcomes { get; } = [];

    /// <summary>Gets the prediction ids whose prediction or outcome the store may have written already (a write that failed or was cut off).</summary>
    public HashSet<Guid> Unconfirmed { get; } = [];

    public int Count => Predictions.Count + Outcomes.Count;

    /// <summary>Adds one line's record; a line that is not a record is logged and skipped.</summary>
    public void Add(JsonElement root, long lineEnd, bool inFlight, string path, long lineStart, ILogger logger)
    {
        End = lineEnd;
        try
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                FeedbackLog.BadLine(logger, path, $"byte {lineStart}", "neither a prediction nor an outcome; the line is skipped");
                return;
            }

            var unconfirmed = inFlight || (root.TryGetProperty("unconfirmed", out var flag) && flag.ValueKind == JsonValueKind.True);
            Guid id;
            if (root.TryGetProperty("prediction", out var prediction))
            {
                var record = FeedbackJson.ReadPrediction(prediction);
                Predictions.Add(record);
                id = record.PredictionId;
            }
            else if (root.TryGetProperty("outcome", out var outcome))
            {
                var record = FeedbackJson.ReadOutcome(outcome);
                Outcomes.Add(record);
                id = record.PredictionId;
            }
            else
            {
                FeedbackLog.BadLine(logger, path, $"byte {lineStart}", "neither a prediction nor an outcome; the line is skipped");
                return;
            }

            if (unconfirmed)
            {
                Unconfirmed.Add(id);
            }
        }
        catch (FormatException ex)
        {
            FeedbackLog.BadLine(logger, path, $"byte {lineStart}", ex.Message);
        }
    }
}
