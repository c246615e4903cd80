using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Ranking;

/// <summary>Always chooses the candidate with the highest predicted score; candidates with exactly equal top scores are chosen uniformly at random.</summary>
/// <remarks>
/// Selection probability: 1 for a unique top candidate, 1/t for each of t tied top candidates, 0 otherwise.
/// Greedy never explores: when the predictor learns from the outcomes of what was chosen, a candidate whose
/// prediction is too low is never chosen and so never corrected (see <c>docs/ranking.md</c>). Thread-safe.
/// </remarks>
public sealed class GreedyPolicy : RankingPolicy
{
    private static readonly Func<object?, RankedCandidate, RankedCandidate, int> ByScore = static (_, x, y) => x.Score.CompareTo(y.Score);

    /// <inheritdoc />
    /// <value><c>greedy</c>.</value>
    public override string Name => "greedy";

    /// <inheritdoc />
    public override int Choose(IReadOnlyList<RankedCandidate> candidates, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return ArgMax.Choose(candidates, null, ByScore, random);
    }

    /// <inheritdoc />
    public override double GetSelectionProbability(IReadOnlyList<RankedCandidate> candidates, int index) =>
        ArgMax.Probability(candidates, null, ByScore, index);
}
