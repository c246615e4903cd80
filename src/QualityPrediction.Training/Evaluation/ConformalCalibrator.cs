using QualityPrediction.Models;

namespace QualityPrediction.Training.Evaluation;

/// <summary>
/// Split-conformal calibration from out-of-fold residuals, Mondrian by predicted score: rows are grouped into bins of
/// predicted score, and each bin keeps its residual quantiles (the interval) and its within-tolerance rate (the confidence).
/// </summary>
public static class ConformalCalibrator
{
    /// <summary>Fits a calibration.</summary>
    /// <param name="predicted">Out-of-fold predictions.</param>
    /// <param name="actual">The actual targets.</param>
    /// <param name="coverage">The nominal interval coverage, e.g. 0.9.</param>
    /// <param name="tolerance">The tolerance that the confidence refers to.</param>
    /// <param name="minRowsPerBin">The fewest rows per bin; fewer rows give fewer bins.</param>
    /// <param name="maxBins">The most bins.</param>
    /// <returns>The calibration.</returns>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, or <paramref name="coverage"/> is not in (0, 1).</exception>
    public static Calibration Fit(IReadOnlyList<double> predicted, IReadOnlyList<double> actual, double coverage, double tolerance, int minRowsPerBin = 200, int maxBins = 5)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(actual);
        if (predicted.Count != actual.Count || predicted.Count == 0)
        {
            throw new ArgumentException("Need one prediction per target and at least one row.", nameof(actual));
        }

        if (!(coverage is > 0 and < 1))
        {
            throw new ArgumentException($"The coverage must be in (0, 1), not {coverage}.", nameof(coverage));
        }

        var order = Enumerable.Range(0, predicted.Count).OrderBy(i => predicted[i]).ToArray();
        var binCount = Math.Clamp(predicted.Count / Math.Max(1, minRowsPerBin), 1, Math.Max(1, maxBins));
        var bins = new List<CalibrationBin>();
        var start = 0;
        for (var b = 0; b < binCount; b++)
        {
            var end = b == binCount - 1 ? order.Length : (int)((long)order.Length * (b + 1) / binCount);

            // Rows with the same predicted score stay in one bin, so that the bin edges are unambiguous.
            while (end < order.Length && end > start && predicted[order[end]] == predicted[order[end - 1]])
            {
                end++;
            }

            if (end <= start)
            {
                continue;
            }

            var residuals = new List<double>(end - start);
            var within = 0;
            for (var i = start; i < end; i++)
            {
                var r = actual[order[i]] - predicted[order[i]];
                residuals.Add(r);
                if (Math.Abs(r) <= tolerance + 1e-9)
                {
                    within++;
                }
            }

            residuals.Sort();
            var alpha = 1 - coverage;
            bins.Add(new CalibrationBin
            {
                UpTo = predicted[order[end - 1]],
                Lower = ConformalQuantile(residuals, alpha / 2, lower: true),
                Upper = ConformalQuantile(residuals, 1 - (alpha / 2), lower: false),
                WithinTolerance = (double)within / residuals.Count,
                Rows = residuals.Count,
            });
            start = end;
            if (start >= order.Length)
            {
                break;
            }
        }

        return new Calibration { Coverage = coverage, Tolerance = tolerance, Rows = predicted.Count, Bins = bins };
    }

    /// <summary>Measures a calibration on rows it was not fitted on.</summary>
    /// <param name="calibration">The calibration.</param>
    /// <param name="predicted">The predictions.</param>
    /// <param name="actual">The actual targets.</param>
    /// <returns>The share of rows inside their interval, and the row-weighted mean |confidence − observed within-tolerance rate| over bins.</returns>
    public static (double Coverage, double CalibrationError) Measure(Calibration calibration, IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(actual);
        var inside = 0;
        var perBin = new Dictionary<CalibrationBin, (int Rows, int Within)>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < predicted.Count; i++)
        {
            var bin = calibration.FindBin(predicted[i]);
            var r = actual[i] - predicted[i];
            if (r >= bin.Lower - 1e-9 && r <= bin.Upper + 1e-9)
            {
                inside++;
            }

            var (rows, hits) = perBin.GetValueOrDefault(bin);
            perBin[bin] = (rows + 1, hits + (Math.Abs(r) <= calibration.Tolerance + 1e-9 ? 1 : 0));
        }

        var error = perBin.Sum(p => p.Value.Rows * Math.Abs(p.Key.WithinTolerance - ((double)p.Value.Within / p.Value.Rows)));
        return predicted.Count == 0 ? (0, 0) : ((double)inside / predicted.Count, error / predicted.Count);
    }

    /// <summary>The expected calibration error: rows grouped into <paramref name="bins"/> equal-width bins of confidence; the row-weighted
    /// mean over the bins of |mean confidence − share of hits|.</summary>
    /// <param name="confidence">Each row's stated probability of a hit.</param>
    /// <param name="hit">Whether each row's error was within the tolerance.</param>
    /// <param name="bins">The number of confidence bins.</param>
    /// <returns>The error in [0, 1]; 0 for no rows.</returns>
    /// <exception cref="ArgumentException">The lists differ in length, or <paramref name="bins"/> is below 1.</exception>
    public static double ExpectedCalibrationError(IReadOnlyList<double> confidence, IReadOnlyList<bool> hit, int bins = 10)
    {
        ArgumentNullException.ThrowIfNull(confidence);
        ArgumentNullException.ThrowIfNull(hit);
        if (confidence.Count != hit.Count || bins < 1)
        {
            throw new ArgumentException("Need one hit per confidence and at least one bin.", nameof(hit));
        }

        var sum = new double[bins];
        var hits = new double[bins];
        var rows = new int[bins];
        for (var i = 0; i < confidence.Count; i++)
        {
            var b = Math.Clamp((int)(confidence[i] * bins), 0, bins - 1);
            sum[b] += confidence[i];
            hits[b] += hit[i] ? 1 : 0;
            rows[b]++;
        }

        double error = 0;
        for (var b = 0; b < bins; b++)
        {
            if (rows[b] > 0)
            {
                error += Math.Abs(sum[b] - hits[b]);
            }
        }

        return confidence.Count == 0 ? 0 : error / confidence.Count;
    }

    private static double ConformalQuantile(List<double> sorted, double q, bool lower)
    {
        // Finite-sample conformal rank: ceil((n + 1) q) for the upper tail, floor((n + 1) q) for the lower one.
        var n = sorted.Count;
        var rank = lower ? (int)Math.Floor((n + 1) * q) : (int)Math.Ceiling((n + 1) * q);
        return sorted[Math.Clamp(rank - 1, 0, n - 1)];
    }
}
