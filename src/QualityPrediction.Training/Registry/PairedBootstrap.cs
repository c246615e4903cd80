namespace QualityPrediction.Training.Registry;

/// <summary>The outcome of comparing two models' absolute errors on the same rows.</summary>
/// <param name="Rows">The number of paired rows.</param>
/// <param name="CandidateMae">The candidate's MAE on those rows.</param>
/// <param name="BaselineMae">The other model's (e.g. the champion's) MAE on those rows.</param>
/// <param name="Difference">Candidate MAE − baseline MAE (negative: the candidate is better).</param>
/// <param name="Lower">The 2.5% bootstrap quantile of the difference.</param>
/// <param name="Upper">The 97.5% bootstrap quantile of the difference.</param>
/// <param name="ProbabilityBetter">The share of bootstrap samples where the candidate's MAE is lower.</param>
public sealed record ComparisonResult(int Rows, double CandidateMae, double BaselineMae, double Difference, double Lower, double Upper, double ProbabilityBetter)
{
    /// <summary>Gets whether the candidate is better beyond noise: the whole 95% interval of the difference is below zero.</summary>
    public bool BetterBeyondNoise => Upper < 0;

    /// <summary>Gets whether the candidate is worse beyond noise.</summary>
    public bool WorseBeyondNoise => Lower > 0;

    /// <summary>Describes the result in one sentence.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => FormattableString.Invariant(
        $"candidate MAE {CandidateMae:F4} vs {BaselineMae:F4} on {Rows} paired rows: difference {Difference:+0.0000;-0.0000} (95% CI {Lower:+0.0000;-0.0000} to {Upper:+0.0000;-0.0000}), P(better) {ProbabilityBetter:P0}: {(BetterBeyondNoise ? "better beyond noise" : WorseBeyondNoise ? "worse beyond noise" : "no difference beyond noise")}");
}

/// <summary>A paired bootstrap of the difference in mean absolute error between two models on the same rows.</summary>
public static class PairedBootstrap
{
    /// <summary>Compares two models' absolute errors, row by row.</summary>
    /// <param name="candidateErrors">The candidate's absolute errors.</param>
    /// <param name="baselineErrors">The other model's absolute errors on the same rows, in the same order.</param>
    /// <param name="samples">The number of bootstrap samples.</param>
    /// <param name="seed">The random seed.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentException">The lists differ in length or are empty.</exception>
    public static ComparisonResult Compare(IReadOnlyList<double> candidateErrors, IReadOnlyList<double> baselineErrors, int samples = 2000, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(candidateErrors);
        ArgumentNullException.ThrowIfNull(baselineErrors);
        var n = candidateErrors.Count;
        if (n == 0 || n != baselineErrors.Count)
        {
            throw new ArgumentException($"Need the same non-zero number of rows; got {candidateErrors.Count} and {baselineErrors.Count}.", nameof(baselineErrors));
        }

        var differences = new double[n];
        for (var i = 0; i < n; i++)
        {
            differences[i] = candidateErrors[i] - baselineErrors[i];
        }

        var random = new Random(seed);
        var means = new double[samples];
        var better = 0;
        for (var s = 0; s < samples; s++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += differences[random.Next(n)];
            }

            means[s] = sum / n;
            if (means[s] < 0)
            {
                better++;
            }
        }

        Array.Sort(means);
        return new ComparisonResult(
            n,
            candidateErrors.Average(),
            baselineErrors.Average(),
            differences.Average(),
            means[(int)Math.Floor(0.025 * (samples - 1))],
            means[(int)Math.Ceiling(0.975 * (samples - 1))],
            (double)better / samples);
    }
}
