using System.Globalization;
using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Ranking;

/// <summary>Chooses the cheapest candidate whose predicted score is within <see cref="Tolerance"/> of the best predicted score.</summary>
/// <remarks>
/// <para>
/// Every candidate needs a <see cref="RankingCandidate.Cost"/>. The eligible candidates are those with
/// <c>Score ≥ max(Score) − Tolerance</c> (the top candidate always is); among them the lowest cost wins, equal costs go
/// to the higher score, and candidates equal on both are chosen uniformly at random. The tolerance is in the score's
/// own units (for a 0–100 score, 5 means "at most 5 points worse than the best").
/// </para>
/// <para>Selection probability: 1, or 1/t among t exact ties. Deterministic, so it does not explore: wrap it in
/// <see cref="EpsilonGreedyPolicy"/> (as its exploiting policy) to keep learning. Thread-safe.</para>
/// </remarks>
public sealed class CheapestWithinTolerancePolicy : RankingPolicy
{
    private static readonly Func<(double Threshold, string Policy), RankedCandidate, RankedCandidate, int> Compare = static (state, x, y) =>
    {
        var xEligible = x.Score >= state.Threshold;
        var yEligible = y.Score >= state.Threshold;
        if (xEligible != yEligible)
        {
            return xEligible ? 1 : -1;
        }

        var byCost = Costs.Require(y, state.Policy).CompareTo(Costs.Require(x, state.Policy)); // cheaper is better
        return byCost != 0 ? byCost : x.Score.CompareTo(y.Score);
    };

    /// <summary>Creates the policy.</summary>
    /// <param name="tolerance">How much lower than the best predicted score a candidate's score may be, in score units: a finite number ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tolerance"/> is negative, NaN or infinite.</exception>
    public CheapestWithinTolerancePolicy(double tolerance)
    {
        if (!(double.IsFinite(tolerance) && tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be a finite number ≥ 0.");
        }

        Tolerance = tolerance;
    }

    /// <summary>Gets how much lower than the best predicted score an eligible candidate's score may be.</summary>
    public double Tolerance { get; }

    /// <inheritdoc />
    /// <value><c>cheapest-within(tolerance)</c>.</value>
    public override string Name => string.Create(CultureInfo.InvariantCulture, $"cheapest-within({Tolerance})");

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A candidate has no cost.</exception>
    public override int Choose(IReadOnlyList<RankedCandidate> candidates, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return ArgMax.Choose(candidates, State(candidates), Compare, random);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A candidate has no cost.</exception>
    public override double GetSelectionProbability(IReadOnlyList<RankedCandidate> candidates, int index) =>
        ArgMax.Probability(candidates, State(candidates), Compare, index);

    private (double Threshold, string Policy) State(IReadOnlyList<RankedCandidate> candidates)
    {
        Costs.RequireAll(candidates, Name);
        var best = double.NegativeInfinity;
        for (var i = 0; i < candidates.Count; i++)
        {
            best = Math.Max(best, candidates[i].Score);
        }

        return (best - Tolerance, Name);
    }
}
