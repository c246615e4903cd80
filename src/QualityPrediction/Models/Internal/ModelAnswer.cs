namespace QualityPrediction.Models.Internal;

/// <summary>One model score with its calibrated confidence and interval, before it becomes a result (no allocation).</summary>
internal readonly record struct ModelAnswer(double Score, double Confidence, ConfidenceKind Kind, PredictionInterval Interval, int Supplied);
