using System.Globalization;
using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Ranking;

/// <summary>
/// Thompson-style sampling: draws one plausible quality for every candidate from a normal distribution fitted to its
/// prediction interval and chooses the candidate with the highest draw.
/// </summary>
/// <remarks>
/// <para>
/// The normal for a candidate has mean <see cref="QualityPredictionResult.Score"/> and standard deviation
/// <c>SpreadScale × h / z</c>, where h is the larger of the interval's two half-widths (<c>Upper − Score</c> and
/// <c>Score − Lower</c>; the larger one, because intervals are clamped to the score range on one side) and
/// <c>z = Φ⁻¹((1 + c)/2)</c> for the interval's coverage c (for example z ≈ 1.645 for a 90% interval). An
/// interval that claims no coverage (c outside (0, 1), such as a configured heuristic's) is read as covering
/// <see cref="AssumedCoverage"/>. A zero-width interval is a point mass.
/// </para>
/// <para>
/// Each candidate is chosen with the probability that its draw is the largest; that probability is what
/// <see cref="GetSelectionProbability"/> reports, computed rather than estimated by Monte-Carlo: in closed form for two
/// candidates and otherwise by Gauss–Legendre quadrature of the one-dimensional integral
/// <c>∫ φ(z) Π_{j≠i} Φ((μ_i + σ_i z − μ_j)/σ_j) dz</c>, with an absolute error below about 1e-9. Point masses at
/// exactly the same value share their probability equally (the sampler breaks such ties uniformly at random).
/// </para>
/// <para>
/// The interval should express uncertainty about the expected quality. A conformal prediction interval also covers
/// the noise of single outcomes and never shrinks to zero, so this policy then keeps exploring among candidates
/// whose scores lie within about the noise level of each other: safer, but with some lasting regret (lower
/// <see cref="SpreadScale"/> to explore less). Thread-safe.
/// </para>
/// </remarks>
public sealed class ThompsonSamplingPolicy : RankingPolicy
{
    private volatile CoverageQuantile? _lastZ;

    /// <summary>Creates the policy.</summary>
    /// <param name="spreadScale">A factor on every fitted standard deviation: a finite number ≥ 0 (1 by default; 0 is greedy with random tie-breaking).</param>
    /// <param name="assumedCoverage">The coverage assumed for an interval that claims none, strictly between 0 and 1 (0.9 by default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="spreadScale"/> is negative or not finite, or <paramref name="assumedCoverage"/> is not strictly between 0 and 1.</exception>
    public ThompsonSamplingPolicy(double spreadScale = 1, double assumedCoverage = 0.9)
    {
        if (!(double.IsFinite(spreadScale) && spreadScale >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(spreadScale), spreadScale, "The spread scale must be a finite number ≥ 0.");
        }

        if (!(assumedCoverage is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(assumedCoverage), assumedCoverage, "The assumed coverage must lie strictly between 0 and 1.");
        }

        SpreadScale = spreadScale;
        AssumedCoverage = assumedCoverage;
    }

    /// <summary>Gets the factor applied to every fitted standard deviation.</summary>
    public double SpreadScale { get; }

    /// <summary>Gets the coverage assumed for an interval that claims none.</summary>
    public double AssumedCoverage { get; }

    /// <inheritdoc />
    /// <value><c>thompson(spreadScale)</c>.</value>
    public override string Name => string.Create(CultureInfo.InvariantCulture, $"thompson({SpreadScale})");

    /// <summary>Gets the standard deviation of the normal fitted to a candidate's prediction (before any draw).</summary>
    /// <param name="candidate">The candidate.</param>
    /// <returns>The standard deviation, ≥ 0.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="candidate"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The candidate's interval has a bound that is NaN or infinite.</exception>
    public double GetStandardDeviation(RankedCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var interval = candidate.Interval;
        if (!double.IsFinite(interval.Lower) || !double.IsFinite(interval.Upper))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The prediction for candidate '{candidate.Name}' has a non-finite interval [{interval.Lower}, {interval.Upper}]; policy '{Name}' needs finite bounds."),
                nameof(candidate));
        }

        var halfWidth = Math.Max(Math.Max(interval.Upper - candidate.Score, candidate.Score - interval.Lower), 0);
        if (halfWidth == 0 || SpreadScale == 0)
        {
            return 0;
        }

        var coverage = interval.Coverage is > 0 and < 1 ? interval.Coverage : AssumedCoverage;
        return SpreadScale * halfWidth / GetZ(coverage);
    }

    /// <inheritdoc />
    public override int Choose(IReadOnlyList<RankedCandidate> candidates, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var count = Check(candidates);
        var best = -1;
        var bestDraw = double.NegativeInfinity;
        var ties = 0;
        for (var i = 0; i < count; i++)
        {
            var draw = candidates[i].Score + (GetStandardDeviation(candidates[i]) * NormalDistribution.Sample(random));
            if (best < 0 || draw > bestDraw)
            {
                best = i;
                bestDraw = draw;
                ties = 1;
            }
            else if (draw == bestDraw && random.Next(++ties) == 0)
            {
                // Reservoir sampling over exact ties (only point masses tie): each tied candidate ends up chosen with probability 1/ties.
                best = i;
            }
        }

        return best;
    }

    /// <inheritdoc />
    public override double GetSelectionProbability(IReadOnlyList<RankedCandidate> candidates, int index)
    {
        ArgMax.CheckIndex(candidates, index);
        var count = candidates.Count;
        Span<double> means = count <= 64 ? stackalloc double[count] : new double[count];
        Span<double> deviations = count <= 64 ? stackalloc double[count] : new double[count];
        for (var i = 0; i < count; i++)
        {
            means[i] = candidates[i].Score;
            deviations[i] = GetStandardDeviation(candidates[i]);
        }

        return MaximumProbability.Compute(means, deviations, index);
    }

    // Φ⁻¹((1 + c)/2) for the last coverage seen: intervals of one predictor share their coverage, so this rarely misses.
    private double GetZ(double coverage)
    {
        var cached = _lastZ;
        if (cached is not null && cached.Coverage == coverage)
        {
            return cached.Z;
        }

        var z = NormalDistribution.Quantile(0.5 * (1 + coverage));
        _lastZ = new CoverageQuantile(coverage, z);
        return z;
    }

    private static int Check(IReadOnlyList<RankedCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return candidates.Count > 0 ? candidates.Count : throw new ArgumentException("There are no candidates to choose from.", nameof(candidates));
    }

    private sealed record CoverageQuantile(double Coverage, double Z);
}
