namespace QualityPrediction.Monitoring;

/// <summary>The drift measures the monitor uses, exposed for tests and tools.</summary>
public static class DriftStatistics
{
    /// <summary>The share that stands in for an empty bin (on either side), so that the logarithm stays finite.</summary>
    public const double EmptyBinShare = 1e-4;

    /// <summary>
    /// Computes the population stability index, PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ), between an expected (training) and an actual
    /// (live) distribution over the same bins.
    /// </summary>
    /// <param name="expected">The expected counts or shares per bin; normalized to sum to 1.</param>
    /// <param name="actual">The actual counts or shares per bin; normalized to sum to 1.</param>
    /// <returns>The PSI (0 for identical distributions). Rules of thumb: below 0.1 stable, 0.1–0.25 moderate, above 0.25 a significant shift.</returns>
    /// <remarks>A share below <see cref="EmptyBinShare"/> is raised to it before the sum.</remarks>
    /// <exception cref="ArgumentException">The spans differ in length, are empty, hold a negative or non-finite value, or sum to zero.</exception>
    public static double PopulationStabilityIndex(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual)
    {
        if (expected.Length != actual.Length || expected.IsEmpty)
        {
            throw new ArgumentException($"Both distributions need the same, non-zero number of bins (expected {expected.Length}, actual {actual.Length}).", nameof(actual));
        }

        var expectedSum = Sum(expected, nameof(expected));
        var actualSum = Sum(actual, nameof(actual));
        var psi = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = Math.Max(expected[i] / expectedSum, EmptyBinShare);
            var a = Math.Max(actual[i] / actualSum, EmptyBinShare);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }

    /// <summary>Finds the histogram bin of a value: bin i holds values in (edges[i−1], edges[i]]; the first and last bins are open.</summary>
    /// <param name="innerEdges">The inner bin edges, ascending (<see cref="Models.FeatureStatistics.BinEdges"/>).</param>
    /// <param name="value">The value.</param>
    /// <returns>The bin index, from 0 to <c>innerEdges.Count</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="innerEdges"/> is <see langword="null"/>.</exception>
    public static int BinOf(IReadOnlyList<double> innerEdges, double value)
    {
        ArgumentNullException.ThrowIfNull(innerEdges);
        int lo = 0, hi = innerEdges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value <= innerEdges[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private static double Sum(ReadOnlySpan<double> values, string name)
    {
        var sum = 0.0;
        foreach (var value in values)
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentException($"A bin holds {value}; counts and shares must be finite and not negative.", name);
            }

            sum += value;
        }

        return sum > 0 ? sum : throw new ArgumentException("The distribution sums to zero.", name);
    }
}
