using System.Globalization;
using QualityPrediction.Training.Data;

namespace QualityPrediction.Training.Evaluation;

/// <summary>What an evaluation's numbers must not be taken for: a model worse than a constant, an interval that does not cover what it says, or in-sample figures.</summary>
public static class EvaluationWarnings
{
    /// <summary>Lists the warnings of an evaluation, one sentence each (empty when there is nothing to warn about).</summary>
    /// <param name="result">The evaluation.</param>
    /// <param name="data">The rows it was computed on.</param>
    /// <returns>The warnings.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IReadOnlyList<string> For(EvaluationResult result, TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(data);
        var c = CultureInfo.InvariantCulture;
        var warnings = new List<string>();
        var skill = result.Metrics.SkillAgainst(result.Baseline);
        if (skill < 0)
        {
            warnings.Add(string.Create(c, $"the model is worse than the constant training mean on these rows (skill {skill:P1}, MAE {result.Metrics.Mae:F4} against {result.Baseline.Mae:F4}): do not serve it in its place."));
        }

        if (result.IntervalCoverage is { } coverage && result.Manifest.Calibration is { } calibration && result.Metrics.Rows > 0)
        {
            // Far: beyond three binomial standard errors of the nominal coverage on this many rows, and by more than 2 points.
            var nominal = calibration.Coverage;
            var margin = Math.Max(0.02, 3 * Math.Sqrt(nominal * (1 - nominal) / result.Metrics.Rows));
            if (Math.Abs(coverage - nominal) > margin)
            {
                warnings.Add(string.Create(c, $"the interval covers {coverage:P1} of these rows, far from its nominal {nominal:P0} (more than {margin:P1} off on {result.Metrics.Rows} rows): its width does not mean what it says here."));
            }
        }

        if (result.Manifest.Data is { Sha256.Length: > 0 } trained && string.Equals(trained.Sha256, data.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            warnings.Add("these rows are the model's own training data (the same data fingerprint): the figures are in-sample and flatter it; evaluate on rows it has not seen.");
        }

        return warnings;
    }
}
