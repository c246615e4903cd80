using QualityPrediction.Feedback;

namespace QualityPrediction.Tests.Feedback;

internal static class FeedbackTestData
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static PredictionRecord Prediction(int i, Guid? id = null) => new()
    {
        PredictionId = id ?? Guid.NewGuid(),
        Predictor = "",
        Features = new Dictionary<string, FeatureValue> { ["provider"] = i % 2 == 0 ? "openai" : "anthropic", ["statValue"] = i },
        Score = 50 + (i % 10),
        Confidence = 0.7,
        Source = PredictionSource.Model,
        ModelName = "quality",
        ModelVersion = "0001",
        Timestamp = Start.AddSeconds(i),
    };

    public static OutcomeRecord Outcome(PredictionRecord prediction, double observed) => new(prediction.PredictionId, observed, prediction.Timestamp.AddMinutes(1));

    public static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "qp-feedback-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }
}

/// <summary>An injected fault: wraps a real store and throws while <see cref="Down"/> is set, or waits on a gate.</summary>
internal sealed class FlakyStore(IFeedbackStore inner) : IFeedbackStore
{
    public volatile bool Down;

    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When 0 or more, the store fails every write after this many more successful ones.</summary>
    public volatile int FailAfterWrites = -1;

    public int Attempts;

    public int FailedWrites;

    public async ValueTask WritePredictionsAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken = default)
    {
        await Before();
        await inner.WritePredictionsAsync(records, cancellationToken);
    }

    public async ValueTask WriteOutcomesAsync(IReadOnlyList<OutcomeRecord> records, CancellationToken cancellationToken = default)
    {
        await Before();
        await inner.WriteOutcomesAsync(records, cancellationToken);
    }

    public ValueTask<string> GetPositionAsync(CancellationToken cancellationToken = default) => inner.GetPositionAsync(cancellationToken);

    public IAsyncEnumerable<FeedbackRow> ReadJoinedAsync(string? after = null, string? upTo = null, CancellationToken cancellationToken = default) =>
        inner.ReadJoinedAsync(after, upTo, cancellationToken);

    public ValueTask RecordCollectedAsync(string consumer, string position, CancellationToken cancellationToken = default) =>
        inner.RecordCollectedAsync(consumer, position, cancellationToken);

    public ValueTask<FeedbackCounts> GetCountsAsync(CancellationToken cancellationToken = default) => inner.GetCountsAsync(cancellationToken);

    public ValueTask<StoredFeedbackIds> FindStoredAsync(IReadOnlyCollection<Guid> predictionIds, CancellationToken cancellationToken = default) =>
        inner.FindStoredAsync(predictionIds, cancellationToken);

    private async Task Before()
    {
        Interlocked.Increment(ref Attempts);
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        if (Down)
        {
            throw new IOException("injected fault: the store is down");
        }

        if (FailAfterWrites is var left and >= 0)
        {
            if (left == 0)
            {
                Interlocked.Increment(ref FailedWrites);
                throw new IOException("injected fault: the store failed again");
            }

            FailAfterWrites = left - 1;
        }
    }
}
