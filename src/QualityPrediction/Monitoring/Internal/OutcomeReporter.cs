using QualityPrediction.Feedback;

namespace QualityPrediction.Monitoring.Internal;

/// <summary>Sends outcomes to the monitor and the feedback writer, whichever are registered.</summary>
internal sealed class OutcomeReporter(QualityMonitor? monitor, FeedbackWriter? writer, TimeProvider timeProvider) : IOutcomeReporter
{
    public bool ReportOutcome(Guid predictionId, double observed)
    {
        ThrowIfNotFinite(observed);
        var matched = monitor?.ReportOutcome(predictionId, observed) ?? false;
        var queued = writer?.TryEnqueue(new OutcomeRecord(predictionId, observed, timeProvider.GetUtcNow())) ?? false;
        return matched || queued;
    }

    public void ReportOutcome(QualityPredictionResult result, double observed, PredictionContext? context = null, string predictorName = "")
    {
        ArgumentNullException.ThrowIfNull(result);
        ThrowIfNotFinite(observed);
        monitor?.ReportOutcome(result, observed);
        if (writer is null || result.PredictionId == Guid.Empty)
        {
            return;
        }

        if (context is not null)
        {
            writer.TryEnqueue(PredictionRecord.FromPrediction(predictorName ?? "", context, result));
        }

        writer.TryEnqueue(new OutcomeRecord(result.PredictionId, observed, timeProvider.GetUtcNow()));
    }

    private static void ThrowIfNotFinite(double observed)
    {
        if (!double.IsFinite(observed))
        {
            throw new ArgumentException($"The observed quality must be a finite number, not {observed}.", nameof(observed));
        }
    }
}
