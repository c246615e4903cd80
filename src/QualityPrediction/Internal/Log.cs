using Microsoft.Extensions.Logging;

namespace QualityPrediction.Internal;

/// <summary>The library's log messages. Messages never carry feature values or other user data.</summary>
internal static partial class Log
{
    public const int FallbackEngagedId = 1;
    public const int RecoveredId = 2;
    public const int PredictedId = 3;
    public const int ObserverFailedId = 4;
    public const int HeuristicReadyId = 5;
    public const int MemberCreatedId = 6;
    public const int ScaleFromModelId = 7;
    public const int ScaleNotFromModelId = 8;

    [LoggerMessage(FallbackEngagedId, LogLevel.Information, "Predictor '{Predictor}': member '{Member}' stopped answering ({Status}); falling back to the next member.", EventName = "FallbackEngaged")]
    public static partial void FallbackEngaged(ILogger logger, string predictor, string member, MemberStatus status);

    [LoggerMessage(RecoveredId, LogLevel.Information, "Predictor '{Predictor}': member '{Member}' answers again.", EventName = "Recovered")]
    public static partial void Recovered(ILogger logger, string predictor, string member);

    [LoggerMessage(PredictedId, LogLevel.Debug, "Predictor '{Predictor}' answered from {Source} with confidence {Confidence:F3}.", EventName = "Predicted")]
    public static partial void Predicted(ILogger logger, string predictor, PredictionSource source, double confidence);

    [LoggerMessage(ObserverFailedId, LogLevel.Warning, "Predictor '{Predictor}': prediction observer {Observer} threw; the prediction is returned anyway.", EventName = "ObserverFailed")]
    public static partial void ObserverFailed(ILogger logger, string predictor, string observer, Exception exception);

    [LoggerMessage(HeuristicReadyId, LogLevel.Information, "Predictor '{Predictor}': heuristic fallback ready ({Mode}, version {Version}).", EventName = "HeuristicReady")]
    public static partial void HeuristicReady(ILogger logger, string predictor, string mode, string? version);

    [LoggerMessage(MemberCreatedId, LogLevel.Information, "Predictor '{Predictor}': model member '{Member}' created from '{Path}'.", EventName = "ModelMemberCreated")]
    public static partial void ModelMemberCreated(ILogger logger, string predictor, string member, string path);

    [LoggerMessage(ScaleFromModelId, LogLevel.Information, "Predictor '{Predictor}': score range [{Min}, {Max}] and tolerance {Tolerance} taken from model '{Model}''s manifest (MinScore, MaxScore and Tolerance are not set).", EventName = "ScaleFromModel")]
    public static partial void ScaleFromModel(ILogger logger, string predictor, double min, double max, double tolerance, string model);

    [LoggerMessage(ScaleNotFromModelId, LogLevel.Warning, "Predictor '{Predictor}': model '{Model}''s manifest cannot be read yet ({Reason}), so the score range is [{Min}, {Max}] with tolerance {Tolerance}; set MinScore, MaxScore and Tolerance to the model's range. A model version on another range is declined.", EventName = "ScaleNotFromModel")]
    public static partial void ScaleNotFromModel(ILogger logger, string predictor, string model, string reason, double min, double max, double tolerance);
}
