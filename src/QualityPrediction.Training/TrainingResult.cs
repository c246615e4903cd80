using Microsoft.ML;
using QualityPrediction.Models;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Evaluation;
using QualityPrediction.Training.Trainers;

namespace QualityPrediction.Training;

/// <summary>The outcome of <see cref="ModelTrainer.Train"/>: the refitted model (exported with <see cref="Export.ModelExporter"/>), its manifest and honest metrics.</summary>
public sealed class TrainingResult
{
    internal TrainingResult(MLContext context, ITransformer model, int inputLength)
    {
        Context = context;
        Model = model;
        InputLength = inputLength;
    }

    /// <summary>Gets the manifest (its artifacts are filled in by the export).</summary>
    public required ModelManifest Manifest { get; init; }

    /// <summary>Gets the data checks.</summary>
    public required DataCheckReport Checks { get; init; }

    /// <summary>Gets the configuration refitted on all rows (the best by cross-validated MAE).</summary>
    public required TrainerConfig Chosen { get; init; }

    /// <summary>Gets every searched configuration with its inner cross-validated MAE and how often the inner search picked it.</summary>
    public required IReadOnlyList<ConfigScore> Configurations { get; init; }

    /// <summary>Gets the nested cross-validation metrics: the configuration is chosen inside each outer training fold.</summary>
    public required RegressionMetrics CrossValidation { get; init; }

    /// <summary>Gets the constant (training-fold mean) baseline on the same folds.</summary>
    public required RegressionMetrics Baseline { get; init; }

    /// <summary>Gets the fitted heuristic on the same folds, when it could be fitted.</summary>
    public RegressionMetrics? Heuristic { get; init; }

    /// <summary>Gets why the heuristic is missing, when it is.</summary>
    public string? HeuristicNote { get; init; }

    /// <summary>Gets the nested cross-validation metrics on the rows outside a flagged identical-feature group, when the checks flagged one.</summary>
    public RegressionMetrics? CrossValidationOutsideGroup { get; init; }

    /// <summary>Gets the baseline on the rows outside a flagged identical-feature group.</summary>
    public RegressionMetrics? BaselineOutsideGroup { get; init; }

    /// <summary>Gets the share of held-out rows inside their conformal interval (calibrated on the other folds).</summary>
    public required double IntervalCoverage { get; init; }

    /// <summary>Gets the expected calibration error of the confidence at the manifest's tolerance on held-out rows: every row's confidence comes
    /// from a calibration fitted on the other folds; the rows of all folds are pooled into 10 bins of confidence, and the error is the row-weighted
    /// mean |mean confidence − share within the tolerance| over the bins.</summary>
    public required double CalibrationError { get; init; }

    /// <summary>Gets <see cref="CalibrationError"/> measured at every tolerance of <see cref="Tolerances"/> (the confidence calibrated for that tolerance).</summary>
    public IReadOnlyDictionary<double, double> CalibrationErrorByTolerance { get; init; } = new Dictionary<double, double>();

    /// <summary>Gets the out-of-fold predictions of the first repeat, for plots and for comparing versions on the same rows.</summary>
    public required OutOfFoldPredictions OutOfFold { get; init; }

    /// <summary>Gets the tolerances of <see cref="RegressionMetrics.AccuracyWithin"/>.</summary>
    public required IReadOnlyList<double> Tolerances { get; init; }

    /// <summary>Gets the wall-clock time of the training.</summary>
    public TimeSpan Duration { get; init; }

    internal MLContext Context { get; }

    internal ITransformer Model { get; }

    internal int InputLength { get; }
}

/// <summary>One searched configuration and how it did.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Mae">Its inner cross-validated MAE, pooled over all outer training folds; the lowest is refitted on all rows.</param>
/// <param name="TimesChosen">How many outer folds' inner search picked it.</param>
public sealed record ConfigScore(TrainerConfig Config, double Mae, int TimesChosen);

/// <summary>Out-of-fold predictions: every row predicted by a model that did not see it.</summary>
public sealed class OutOfFoldPredictions
{
    /// <summary>Gets a stable key per row (hash of its features and target), to pair rows across model versions.</summary>
    public IReadOnlyList<string> RowKeys { get; init; } = [];

    /// <summary>Gets the actual targets.</summary>
    public IReadOnlyList<double> Actual { get; init; } = [];

    /// <summary>Gets the nested cross-validation predictions.</summary>
    public IReadOnlyList<double> Predicted { get; init; } = [];

    /// <summary>Gets the lower bounds of the held-out conformal intervals.</summary>
    public IReadOnlyList<double> Lower { get; init; } = [];

    /// <summary>Gets the upper bounds of the held-out conformal intervals.</summary>
    public IReadOnlyList<double> Upper { get; init; } = [];

    /// <summary>Gets the calibrated confidence given to each row (its bin's within-tolerance rate).</summary>
    public IReadOnlyList<double> Confidence { get; init; } = [];

    /// <summary>Gets the baseline predictions.</summary>
    public IReadOnlyList<double> Baseline { get; init; } = [];
}
