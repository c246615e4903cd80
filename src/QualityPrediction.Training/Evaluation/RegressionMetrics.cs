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

    /// <summary>Computes the weighted metrics: each row counts in proportion to its weight (MAE = Σ wᵢ|eᵢ| / Σ wᵢ, and so on).</summary>
    /// <param name="actual">The actual targets.</param>
    /// <param name="predicted">The predictions, one per target.</param>
    /// <param name="tolerances">The tolerances for <see cref="AccuracyWithin"/>.</param>
    /// <param name="weights">The row weights (finite, ≥ 0, not all 0); <see langword="null"/> computes the unweighted metrics.</param>
    /// <returns>The metrics. With inverse-propensity weights they are the self-normalized estimate of the error on the rows as if every candidate had been chosen as often as any other.</returns>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, or a weight is negative or not finite, or all are 0.</exception>
    public static RegressionMetrics Compute(IReadOnlyList<double> actual, IReadOnlyList<double> predicted, IEnumerable<double> tolerances, IReadOnlyList<double>? weights)
    {
        if (weights is null)
        {
            return Compute(actual, predicted, tolerances);
        }

        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(tolerances);
        if (actual.Count != predicted.Count || actual.Count != weights.Count || actual.Count == 0)
        {
            throw new ArgumentException($"Need one prediction and one weight per target and at least one row; got {actual.Count} targets, {predicted.Count} predictions and {weights.Count} weights.", nameof(weights));
        }

        var n = actual.Count;
        double sum = 0, weightedTarget = 0;
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The weight of row {i} is {weights[i]}; weights must be finite and ≥ 0."), nameof(weights));
            }

            sum += weights[i];
            weightedTarget += weights[i] * actual[i];
        }

        if (sum <= 0)
        {
            throw new ArgumentException("All weights are 0.", nameof(weights));
        }

        var mean = weightedTarget / sum;
        double abs = 0, squares = 0, total = 0;
        for (var i = 0; i < n; i++)
        {
            var error = actual[i] - predicted[i];
            abs += weights[i] * Math.Abs(error);
            squares += weights[i] * error * error;
            total += weights[i] * (actual[i] - mean) * (actual[i] - mean);
        }

        var within = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in tolerances)
        {
            double hits = 0;
            for (var i = 0; i < n; i++)
            {
                if (Math.Abs(actual[i] - predicted[i]) <= t + 1e-9)
                {
                    hits += weights[i];
                }
            }

            within[Key(t)] = hits / sum;
        }

        return new RegressionMetrics
        {
            Rows = n,
            Mae = abs / sum,
            Rmse = Math.Sqrt(squares / sum),
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
