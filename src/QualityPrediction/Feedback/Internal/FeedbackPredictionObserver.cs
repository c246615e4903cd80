using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QualityPrediction.Monitoring;

namespace QualityPrediction.Feedback.Internal;

/// <summary>Queues every prediction for the feedback store; never throws or blocks.</summary>
internal sealed class FeedbackPredictionObserver(FeedbackWriter writer, ILogger<FeedbackPredictionObserver>? logger = null) : IPredictionObserver
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public void OnPrediction(string predictorName, PredictionContext context, QualityPredictionResult result)
    {
        try
        {
            if (result is { PredictionId: var id } && id != Guid.Empty && context is not null)
            {
                writer.TryEnqueue(PredictionRecord.FromPrediction(predictorName ?? "", context, result));
            }
        }
        catch (Exception ex) when (ex is ArgumentException or ObjectDisposedException)
        {
            FeedbackLog.ObserverFailed(_logger, ex);
        }
    }
}
