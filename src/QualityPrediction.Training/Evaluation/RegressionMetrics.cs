using System.Globalization;

namespace QualityPrediction.Training.Evaluation;

/// <summary>Regression metrics of predictions against actual targets.</summary>
public sealed class RegressionMetrics
{
    /// <summary>Gets the number of rows.</summary>
    public int Rows { get; init; }

    /// <summary>Gets the mean absolute error.</summary>
    public double Mae { get; init; }

    /// <summary>Gets the root mean squared error.</summary>
    public double Rmse { get; init; }

    /// <summary>Gets the coefficient of determination, 1 − SS(residual) / SS(total) around the actual mean (0 when the targets are constant).</summary>
    public double R2 { get; init; }

    /// <summary>Gets the share of rows with |error| ≤ T, per tolerance T (keyed by T in invariant text, e.g. <c>"0.5"</c>).</summary>
    public IReadOnlyDictionary<string, double> AccuracyWithin { get; init; } = new Dictionary<string, double>();

    /// <summary>Computes the metrics.</summary>
    /// <param name="actual">The actual targets.</param>
    /// <param name="predicted">The predictions, one per target.</param>
    /// <param name="tolerances">The tolerances for <see cref="AccuracyWithin"/>.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static RegressionMetrics Compute(IReadOnlyList<double> actual, IReadOnlyList<double> predicted, IEnumerable<double> tolerances)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(tolerances);
        if (actual.Count != predicted.Count || actual.Count == 0)
        {
            throw new ArgumentException($"Need one prediction per target and at least one row; got {actual.Count} targets and {predicted.Count} predictions.", nameof(predicted));
        }

        var n = actual.Count;
        var mean = actual.Average();
        double abs = 0, squares = 0, total = 0;
        for (var i = 0; i < n; i++)
        {
            var error = actual[i] - predicted[i];
            abs += Math.Abs(error);
            squares += error * error;
            total += (actual[i] - mean) * (actual[i] - mean);
        }

        var within = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in tolerances)
        {
            var hits = 0;
            for (var i = 0; i < n; i++)
            {
                if (Math.Abs(actual[i] - predicted[i]) <= t + 1e-9)
                {
                    hits++;
                }
            }

            within[Key(t)] = (double)hits / n;
        }

        return new RegressionMetrics
        {
            Rows = n,
            Mae = abs / n,
            Rmse = Math.Sqrt(squares / n),
            R2 = total > 0 ? 1 - (squares / total) : 0,
            AccuracyWithin = within,
        };
    }

    /// <summary>Gets the skill against a baseline: 1 − MAE / baseline MAE.</summary>
    /// <param name="baseline">The baseline's metrics on the same rows.</param>
    /// <returns>The skill; 0 when the baseline is perfect.</returns>
    public double SkillAgainst(RegressionMetrics baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        return baseline.Mae > 0 ? 1 - (Mae / baseline.Mae) : 0;
    }

    /// <summary>Formats a tolerance as the key of <see cref="AccuracyWithin"/>.</summary>
    /// <param name="tolerance">The tolerance.</param>
    /// <returns>The invariant text, e.g. <c>"0.25"</c>.</returns>
    public static string Key(double tolerance) => tolerance.ToString("0.########", CultureInfo.InvariantCulture);
}
