using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using QualityPrediction.Models;
using QualityPrediction.Training.Data;
using QualityPrediction.Training.Internal;

namespace QualityPrediction.Training.Evaluation;

/// <summary>The metrics of a trained model on new rows.</summary>
public sealed class EvaluationResult
{
    /// <summary>Gets the manifest of the evaluated model.</summary>
    public required ModelManifest Manifest { get; init; }

    /// <summary>Gets the model's metrics.</summary>
    public required RegressionMetrics Metrics { get; init; }

    /// <summary>Gets the constant baseline's metrics: the training mean, predicted for every row.</summary>
    public required RegressionMetrics Baseline { get; init; }

    /// <summary>Gets the share of rows inside their conformal interval, when the manifest has a calibration.</summary>
    public double? IntervalCoverage { get; init; }

    /// <summary>Gets the row-weighted mean |confidence − observed within-tolerance rate|, when the manifest has a calibration.</summary>
    public double? CalibrationError { get; init; }

    /// <summary>Gets the actual targets.</summary>
    public required IReadOnlyList<double> Actual { get; init; }

    /// <summary>Gets the predictions (clamped to the target's range).</summary>
    public required IReadOnlyList<double> Predicted { get; init; }

    /// <summary>Gets the tolerances of <see cref="RegressionMetrics.AccuracyWithin"/>.</summary>
    public required IReadOnlyList<double> Tolerances { get; init; }
}

/// <summary>Evaluates a trained model (its ML.NET artifact, after verifying its SHA-256) on rows it has not seen.</summary>
public static class ModelEvaluator
{
    /// <summary>Scores rows and computes metrics, with the constant training-mean baseline beside them.</summary>
    /// <param name="manifestPath">The <c>NAME.model.json</c> file.</param>
    /// <param name="data">The rows; their target column must be the model's.</param>
    /// <param name="tolerances">The tolerances; empty uses the manifest's tolerance.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ModelFormatException">The manifest or its ML.NET artifact is missing, malformed or fails its SHA-256 check.</exception>
    /// <exception cref="FileNotFoundException">The manifest does not exist.</exception>
    public static EvaluationResult Evaluate(string manifestPath, TrainingData data, IReadOnlyList<double> tolerances)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(tolerances);
        var manifest = ModelManifest.Load(manifestPath);
        var artifact = manifest.FindArtifact("mlnet") ?? throw new ModelFormatException(manifestPath, "the manifest lists no ML.NET artifact.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var artifactPath = Path.GetFullPath(Path.Combine(folder, artifact.File));
        if (!artifactPath.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(artifactPath))
        {
            throw new ModelFormatException(manifestPath, $"artifact '{artifact.File}' is missing or outside the manifest's folder.");
        }

        var bytes = File.ReadAllBytes(artifactPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(hash, artifact.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelFormatException(manifestPath, $"artifact '{artifact.File}' has SHA-256 {hash}, but the manifest says {artifact.Sha256}.");
        }

        var encoder = FeatureEncoder.Create(manifest);
        var matrix = Featurization.Featurizer.Encode(encoder, data.Contexts);
        var context = new MLContext(1);
        ITransformer model;
        using (var stream = new MemoryStream(bytes))
        {
            model = context.Model.Load(stream, out _);
        }

        var range = manifest.Target.Range;
        var scores = MlNetModels.Score(model, MlNetModels.FeatureView(context, matrix, encoder.Length, data.Count));
        var predicted = scores.Select(s => range.Clamp(s)).ToArray();
        var actual = data.Targets;
        var used = tolerances.Count > 0 ? tolerances : [manifest.Target.Tolerance];
        var mean = TrainingMean(manifest) ?? actual.Average();
        double? coverage = null, calibrationError = null;
        if (manifest.Calibration is { } calibration)
        {
            (var c, var e) = ConformalCalibrator.Measure(calibration, predicted, actual);
            coverage = c;
            calibrationError = e;
        }

        return new EvaluationResult
        {
            Manifest = manifest,
            Metrics = RegressionMetrics.Compute(actual, predicted, used),
            Baseline = RegressionMetrics.Compute(actual, [.. actual.Select(_ => mean)], used),
            IntervalCoverage = coverage,
            CalibrationError = calibrationError,
            Actual = actual,
            Predicted = predicted,
            Tolerances = used,
        };
    }

    private static double? TrainingMean(ModelManifest manifest) =>
        manifest.Metrics is { ValueKind: JsonValueKind.Object } metrics && metrics.TryGetProperty("trainingMean", out var mean) && mean.ValueKind == JsonValueKind.Number
            ? mean.GetDouble()
            : null;
}
