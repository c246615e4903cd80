namespace QualityPrediction.Ranking;

/// <summary>
/// Chooses one of the ranked candidates and states the probability of that choice.
/// </summary>
/// <remarks>
/// <para>
/// A policy sees the candidates ordered by predicted score (highest first) and must be a function of them and of
/// the <see cref="Random"/> it is given: the distribution of <see cref="Choose"/> must equal what
/// <see cref="GetSelectionProbability"/> reports, because that probability is recorded for inverse-propensity weighting.
/// </para>
/// <para>
/// Implementations must be stateless or thread-safe: one policy instance serves concurrent ranking calls. They must draw
/// randomness only from the <see cref="Random"/> passed to <see cref="Choose"/> (never keep it, never use
/// <see cref="Random.Shared"/> directly) so that a seeded ranker is reproducible, and
/// <see cref="GetSelectionProbability"/> must not use randomness at all.
/// </para>
/// Built-in policies: <see cref="GreedyPolicy"/>, <see cref="MinimumConfidencePolicy"/>, <see cref="EpsilonGreedyPolicy"/>,
/// <see cref="UpperConfidenceBoundPolicy"/>, <see cref="ThompsonSamplingPolicy"/>, <see cref="QualityPerCostPolicy"/>
/// and <see cref="CheapestWithinTolerancePolicy"/>.
/// </remarks>
public abstract class RankingPolicy
{
    /// <summary>Gets the policy's name with its parameters, e.g. <c>epsilon-greedy(0.1)</c>; recorded in <see cref="RankingResult.Policy"/>.</summary>
    public abstract string Name { get; }

    /// <summary>Chooses one candidate.</summary>
    /// <param name="candidates">The candidates ordered by predicted score, highest first; never empty.</param>
    /// <param name="random">The only source of randomness to use. The caller serializes access to it.</param>
    /// <returns>The index of the chosen candidate in <paramref name="candidates"/>.</returns>
    /// <exception cref="ArgumentException">The candidates lack what the policy needs (for example a cost), naming the candidate.</exception>
    public abstract int Choose(IReadOnlyList<RankedCandidate> candidates, Random random);

    /// <summary>Gets the probability with which <see cref="Choose"/> picks the candidate at <paramref name="index"/>.</summary>
    /// <param name="candidates">The candidates ordered by predicted score, highest first; never empty.</param>
    /// <param name="index">The index of the candidate in <paramref name="candidates"/>.</param>
    /// <returns>The probability in [0, 1]; over all indexes the probabilities sum to 1.</returns>
    /// <exception cref="ArgumentException">The candidates lack what the policy needs (for example a cost), naming the candidate.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside <paramref name="candidates"/>.</exception>
    public abstract double GetSelectionProbability(IReadOnlyList<RankedCandidate> candidates, int index);

    /// <inheritdoc />
    public override string ToString() => Name;
}
