using System.Globalization;
using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Ranking;

/// <summary>
/// Optimism in the face of uncertainty: chooses the candidate with the highest upper confidence index
/// <c>Score + Scale × (Interval.Upper − Score)</c>; with the default scale of 1 that is the interval's upper bound.
/// </summary>
/// <remarks>
/// <para>
/// A candidate with little evidence has a wide interval, so its index is high and it gets tried; each observation
/// narrows its interval until either its score proves high or its index falls below another's. The choice is
/// deterministic: the selection probability is 1, or 1/t among t candidates with exactly equal indexes.
/// </para>
/// <para>
/// A larger <see cref="Scale"/> explores more, 0 is greedy. With a conformal prediction interval (which also
/// covers the noise of single outcomes and so never shrinks to zero) the index stays above the score by about the
/// noise level; exploration then continues among candidates whose scores are within that margin of each other.
/// Because the choice is deterministic, its records carry probability 1 and inverse-propensity weighting cannot
/// correct for it; prefer <see cref="ThompsonSamplingPolicy"/> or <see cref="EpsilonGreedyPolicy"/> when the outcomes
/// feed training. Thread-safe.
/// </para>
/// </remarks>
public sealed class UpperConfidenceBoundPolicy : RankingPolicy
{
    private static readonly Func<UpperConfidenceBoundPolicy, RankedCandidate, RankedCandidate, int> ByIndex =
        static (policy, x, y) => policy.GetIndex(x).CompareTo(policy.GetIndex(y));

    /// <summary>Creates the policy.</summary>
    /// <param name="scale">How far towards (or, above 1, beyond) the interval's upper bound to look: a finite number ≥ 0. The default 1 uses the upper bound itself.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> is negative, NaN or infinite.</exception>
    public UpperConfidenceBoundPolicy(double scale = 1)
    {
        if (!(double.IsFinite(scale) && scale >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be a finite number ≥ 0.");
        }

        Scale = scale;
    }

    /// <summary>Gets the scale applied to the distance from the score to the interval's upper bound.</summary>
    public double Scale { get; }

    /// <inheritdoc />
    /// <value><c>ucb(scale)</c>.</value>
    public override string Name => string.Create(CultureInfo.InvariantCulture, $"ucb({Scale})");

    /// <summary>Gets a candidate's upper confidence index, <c>Score + Scale × (Interval.Upper − Score)</c>.</summary>
    /// <param name="candidate">The candidate.</param>
    /// <returns>The index.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="candidate"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The candidate's interval has a bound that is NaN or infinite.</exception>
    public double GetIndex(RankedCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var upper = candidate.Interval.Upper;
        if (!double.IsFinite(upper))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The prediction for candidate '{candidate.Name}' has a non-finite interval upper bound ({upper}); policy '{Name}' needs a finite one."),
                nameof(candidate));
        }

        return candidate.Score + (Scale * (upper - candidate.Score));
    }

    /// <inheritdoc />
    public override int Choose(IReadOnlyList<RankedCandidate> candidates, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckIntervals(candidates);
        return ArgMax.Choose(candidates, this, ByIndex, random);
    }

    /// <inheritdoc />
    public override double GetSelectionProbability(IReadOnlyList<RankedCandidate> candidates, int index)
    {
        CheckIntervals(candidates);
        return ArgMax.Probability(candidates, this, ByIndex, index);
    }

    // A lone candidate is never compared, so check every interval up front for the same error in every case.
    private void CheckIntervals(IReadOnlyList<RankedCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        for (var i = 0; i < candidates.Count; i++)
        {
            _ = GetIndex(candidates[i]);
        }
    }
}
