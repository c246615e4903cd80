using System.Diagnostics;

namespace QualityPrediction.Internal;

/// <summary>The library's <see cref="ActivitySource"/> (<see cref="QualityPredictionInstruments.ActivitySourceName"/>); <c>StartActivity</c> returns <see langword="null"/>, at the cost of one check, while nobody listens.</summary>
internal static class QualityPredictionTracing
{
    public static readonly ActivitySource Source = new(QualityPredictionInstruments.ActivitySourceName, typeof(QualityPredictionTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the span of one prediction of <paramref name="predictor"/>; <see langword="null"/> (one check) while nobody listens.</summary>
    public static Activity? StartPrediction(string predictor)
    {
        var activity = Source.StartActivity(QualityPredictionInstruments.PredictActivity, ActivityKind.Internal);
        activity?.SetTag(QualityPredictionInstruments.PredictorTag, predictor);
        return activity;
    }

    /// <summary>Starts the span of one batch of <paramref name="size"/> predictions of <paramref name="predictor"/>.</summary>
    public static Activity? StartBatch(string predictor, int size)
    {
        var activity = Source.StartActivity(QualityPredictionInstruments.PredictBatchActivity, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag(QualityPredictionInstruments.PredictorTag, predictor);
            activity.SetTag(QualityPredictionInstruments.BatchSizeTag, size);
        }

        return activity;
    }

    /// <summary>Tags a prediction's span with what answered (source, model, version) and why the members before it did not (the first one's status and name).</summary>
    public static void Predicted(Activity activity, QualityPredictionResult result)
    {
        if (!activity.IsAllDataRequested)
        {
            return;
        }

        activity.SetTag(QualityPredictionInstruments.SourceTag, QualityPredictionMetrics.SourceTagValue(result.Source));
        if (result.ModelName is { } model)
        {
            activity.SetTag(QualityPredictionInstruments.ModelNameTag, model);
        }

        if (result.ModelVersion is { } version)
        {
            activity.SetTag(QualityPredictionInstruments.ModelVersionTag, version);
        }

        foreach (var member in result.Members)
        {
            if (member.Status == MemberStatus.Ok)
            {
                break;
            }

            if (member.Status != MemberStatus.Skipped)
            {
                activity.SetTag(QualityPredictionInstruments.FallbackReasonTag, member.Status.ToString());
                activity.SetTag(QualityPredictionInstruments.MemberTag, member.Name);
                break;
            }
        }
    }

    /// <summary>Marks a span failed with the exception's type (OpenTelemetry's <c>error.type</c>) and message.</summary>
    public static void Failed(Activity activity, Exception exception)
    {
        activity.SetTag(QualityPredictionInstruments.ErrorTypeTag, exception.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
    }
}
