namespace QualityPrediction.Models;

/// <summary>
/// Split-conformal calibration measured on out-of-fold predictions, grouped into bins of predicted score
/// (a Mondrian conformal scheme): each bin holds residual quantiles for the interval and the share of rows
/// whose error was within the tolerance, which becomes the calibrated confidence.
/// </summary>
public sealed class Calibration
{
    /// <summary>Gets or sets the nominal coverage of the interval (e.g. 0.9).</summary>
    public double Coverage { get; set; } = 0.9;

    /// <summary>Gets or sets the tolerance that <see cref="CalibrationBin.WithinTolerance"/> refers to.</summary>
    public double Tolerance { get; set; }

    /// <summary>Gets or sets the number of calibration rows.</summary>
    public int Rows { get; set; }

    /// <summary>Gets or sets the bins, ordered by <see cref="CalibrationBin.UpTo"/>; the last bin is open-ended.</summary>
    public IList<CalibrationBin> Bins { get; set; } = [];

    /// <summary>Gets or sets the interval coverage measured on held-out rows not used to calibrate, when known.</summary>
    public double? MeasuredCoverage { get; set; }

    /// <summary>Gets or sets the mean absolute gap between predicted confidence and observed within-tolerance rate on held-out rows, when known.</summary>
    public double? CalibrationError { get; set; }

    /// <summary>Finds the bin for a predicted score.</summary>
    /// <param name="score">The predicted score.</param>
    /// <returns>The bin.</returns>
    public CalibrationBin FindBin(double score)
    {
        var bins = Bins;
        for (var i = 0; i < bins.Count - 1; i++)
        {
            if (score <= bins[i].UpTo)
            {
                return bins[i];
            }
        }

        return bins[^1];
    }

    internal void Validate(string source)
    {
        if (Bins is null || Bins.Count == 0)
        {
            throw new ModelFormatException(source, "field 'calibration.bins' is missing or empty.");
        }

        if (!(Coverage is > 0 and < 1))
        {
            throw new ModelFormatException(source, $"field 'calibration.coverage' must be in (0, 1), not {Coverage}.");
        }

        for (var i = 0; i < Bins.Count; i++)
        {
            var bin = Bins[i];
            if (bin is null
                || !double.IsFinite(bin.Lower) || !double.IsFinite(bin.Upper) || bin.Lower > bin.Upper
                || !(bin.WithinTolerance is >= 0 and <= 1)
                || double.IsNaN(bin.UpTo)
                || (i > 0 && bin.UpTo < Bins[i - 1].UpTo))
            {
                throw new ModelFormatException(source, $"field 'calibration.bins[{i}]' is invalid: quantiles must be finite and ordered, withinTolerance in [0, 1], upTo ascending.");
            }
        }
    }
}

/// <summary>Calibration of one range of predicted scores.</summary>
public sealed class CalibrationBin
{
    /// <summary>Gets or sets the highest predicted score in this bin (ignored for the last bin).</summary>
    public double UpTo { get; set; }

    /// <summary>Gets or sets the residual (actual − predicted) quantile for the interval's lower bound.</summary>
    public double Lower { get; set; }

    /// <summary>Gets or sets the residual (actual − predicted) quantile for the interval's upper bound.</summary>
    public double Upper { get; set; }

    /// <summary>Gets or sets the share of calibration rows in this bin whose |error| was within the tolerance.</summary>
    public double WithinTolerance { get; set; }

    /// <summary>Gets or sets the number of calibration rows in this bin.</summary>
    public int Rows { get; set; }
}
