using QualityPrediction.Training;

namespace QualityPrediction.Cli.Commands;

/// <summary>What a training run produced.</summary>
/// <param name="Version">The version written.</param>
/// <param name="Result">The training result.</param>
/// <param name="Champion">Whether the version became champion of the registry (only the first version of a model can, and only when the rule allows).</param>
internal sealed record TrainOutcome(string Version, TrainingResult Result, bool Champion);
