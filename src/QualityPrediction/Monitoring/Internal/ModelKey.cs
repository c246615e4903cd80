namespace QualityPrediction.Monitoring.Internal;

/// <summary>Identifies one served model version as predictions name it: the model (predictor) name and the version.</summary>
/// <param name="Name">The model name results carry (<see cref="QualityPredictionResult.ModelName"/>, an ensemble member's name); empty when none.</param>
/// <param name="Version">The version; empty when none.</param>
internal readonly record struct ModelKey(string Name, string Version);
