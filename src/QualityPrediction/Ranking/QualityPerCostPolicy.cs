using System.Globalization;
using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Ranking;

/// <summary>Chooses the candidate with the most predicted quality per unit of cost: the highest <c>(Score − ScoreBaseline) / Cost</c>.</summary>
/// <remarks>
/// <para>
/// Every candidate needs a <see cref="RankingCandidate.Cost"/>. The <see cref="ScoreBaseline"/> is the score worth
/// nothing (by default 0; use the lower end of the score range when it is not 0), so that the ratio measures quality
/// bought. A candidate that costs 0 has an unbounded ratio: free candidates are preferred to paid ones, and among free
/// candidates the highest score wins. Equal ratios go to the higher score; candidates equal on both are chosen
/// uniformly at random.
/// </para>
/// <para>Selection probability: 1, or 1/t among t exact ties. Deterministic, so it does not explore: wrap it in
/// <see cref="EpsilonGreedyPolicy"/> (as its exploiting policy) to keep learning. Thread-safe.</para>
/// </remarks>
public sealed class QualityPerCostPolicy : RankingPolicy
{
    private static readonly Func<QualityPerCostPolicy, RankedCandidate, RankedCandidate, int> Compare = static (policy, x, y) =>
    {
        var xCost = Costs.Require(x, policy.Name);
        var yCost = Costs.Require(y, policy.Name);
        var xFree = xCost == 0;
        var yFree = yCost == 0;
        if (xFree != yFree)
        {
            return xFree ? 1 : -1;
        }

        if (!xFree)
        {
            var byRatio = ((x.Score - policy.ScoreBaseline) / xCost).CompareTo((y.Score - policy.ScoreBaseline) / yCost);
            if (byRatio != 0)
            {
                return byRatio;
            }
        }

        return x.Score.CompareTo(y.Score);
    };

    /// <summary>Creates the policy.</summary>
    /// <param name="scoreBaseline">The score that is worth nothing; a finite number (0 by default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scoreBaseline"/> is NaN or infinite.</exception>
    public QualityPerCostPolicy(double scoreBaseline = 0)
    {
        if (!double.IsFinite(scoreBaseline))
        {
            throw new ArgumentOutOfRangeException(nameof(scoreBaseline), scoreBaseline, "The score baseline must be finite.");
        }

        ScoreBaseline = scoreBaseline;
    }

    /// <summary>Gets the score that is worth nothing.</summary>
    public double ScoreBaseline { get; }

    /// <inheritdoc />
    /// <value><c>quality-per-cost(baseline)</c>.</value>
    public override string Name => string.Create(CultureInfo.InvariantCulture, $"quality-per-cost({ScoreBaseline})");

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A candidate has no cost.</exception>
    public override int Choose(IReadOnlyList<RankedCandidate> candidates, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Costs.RequireAll(candidates, Name);
        return ArgMax.Choose(candidates, this, Compare, random);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A candidate has no cost.</exception>
    public override double GetSelectionProbability(IReadOnlyList<RankedCandidate> candidates, int index)
    {
        Costs.RequireAll(candidates, Name);
        return ArgMax.Probability(candidates, this, Compare, index);
    }
}
