using System.Globalization;
using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Ranking;

/// <summary>
/// Greedy among the candidates whose prediction is confident enough; when none is, chooses the candidate with the most
/// evidence behind its prediction.
/// </summary>
/// <remarks>
/// <para>The choice, exactly:</para>
/// <list type="number">
/// <item>A candidate is <em>eligible</em> when its <see cref="QualityPredictionResult.Confidence"/> is at least <see cref="MinimumConfidence"/>.</item>
/// <item>If any candidate is eligible, the eligible candidate with the highest score is chosen; equal scores go to the higher confidence, then the narrower interval.</item>
/// <item>If none is eligible, the candidate with the highest confidence is chosen (the one with the most evidence: a calibrated confidence and a narrower interval are what more observations buy); equal confidences go to the narrower interval, then the higher score.</item>
/// <item>Candidates equal on every key are chosen uniformly at random. Confidences and interval widths are compared to 12 decimal places, so floating-point rounding does not decide between candidates that are equal in fact.</item>
/// </list>
/// <para>
/// Selection probability: 1, or 1/t among t candidates equal on every key. This is a cautious policy, not an exploring one: it
/// prefers what is well known and therefore reinforces selection bias as much as <see cref="GreedyPolicy"/> does.
/// Combine it with <see cref="EpsilonGreedyPolicy"/> to keep learning. Thread-safe.
/// </para>
/// </remarks>
public sealed class MinimumConfidencePolicy : RankingPolicy
{
    private static readonly Func<double, RankedCandidate, RankedCandidate, int> Compare = static (minimum, x, y) =>
    {
        var xEligible = x.Confidence >= minimum;
        var yEligible = y.Confidence >= minimum;
        if (xEligible != yEligible)
        {
            return xEligible ? 1 : -1;
        }

        if (xEligible)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : ByEvidence(x, y);
        }

        var byEvidence = ByEvidence(x, y);
        return byEvidence != 0 ? byEvidence : x.Score.CompareTo(y.Score);
    };

    /// <summary>Creates the policy.</summary>
    /// <param name="minimumConfidence">The confidence a prediction needs to be eligible, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimumConfidence"/> is outside [0, 1].</exception>
    public MinimumConfidencePolicy(double minimumConfidence)
    {
        if (!(minimumConfidence is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minimumConfidence), minimumConfidence, "The minimum confidence must lie in [0, 1].");
        }

        MinimumConfidence = minimumConfidence;
    }

    /// <summary>Gets the confidence a prediction needs to be eligible.</summary>
    public double MinimumConfidence { get; }

    /// <inheritdoc />
    /// <value><c>minimum-confidence(C)</c>.</value>
    public override string Name => string.Create(CultureInfo.InvariantCulture, $"minimum-confidence({MinimumConfidence})");

    /// <inheritdoc />
    public override int Choose(IReadOnlyList<RankedCandidate> candidates, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return ArgMax.Choose(candidates, MinimumConfidence, Compare, random);
    }

    /// <inheritdoc />
    public override double GetSelectionProbability(IReadOnlyList<RankedCandidate> candidates, int index) =>
        ArgMax.Probability(candidates, MinimumConfidence, Compare, index);

    // More evidence: higher confidence, then a narrower interval. Both are compared to 12 decimal places so that
    // floating-point noise (an interval computed as mean ± half-width has a width that depends on the mean in the
    // last bits) does not decide between candidates that are equal in fact.
    private static int ByEvidence(RankedCandidate x, RankedCandidate y)
    {
        var byConfidence = Math.Round(x.Confidence, 12).CompareTo(Math.Round(y.Confidence, 12));
        return byConfidence != 0 ? byConfidence : Math.Round(y.Interval.Width, 12).CompareTo(Math.Round(x.Interval.Width, 12));
    }
}
