using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

/// <summary>For every built-in policy: the reported selection probabilities form a distribution and match how often <see cref="RankingPolicy.Choose"/> picks each candidate.</summary>
public sealed class RankingPolicyContractTests
{
    // Includes an exact score tie (b, c) and costs, so that every policy has something to decide.
    private static readonly RankedCandidate[] Candidates = Ranked.Of(
        ("a", 0.80, 0.60, 0.65, 0.95, 8.0),
        ("b", 0.72, 0.90, 0.69, 0.75, 2.0),
        ("c", 0.72, 0.90, 0.69, 0.75, 2.0),
        ("d", 0.60, 0.30, 0.30, 0.90, 1.0),
        ("e", 0.40, 0.95, 0.39, 0.41, 0.5));

    private static IEnumerable<RankingPolicy> Policies()
    {
        yield return new GreedyPolicy();
        yield return new MinimumConfidencePolicy(0.85);
        yield return new EpsilonGreedyPolicy(0.25);
        yield return new EpsilonGreedyPolicy(0.25, new ThompsonSamplingPolicy());
        yield return new UpperConfidenceBoundPolicy();
        yield return new ThompsonSamplingPolicy();
        yield return new ThompsonSamplingPolicy(spreadScale: 0.5);
        yield return new QualityPerCostPolicy();
        yield return new CheapestWithinTolerancePolicy(0.1);
    }

    [TestCaseSource(nameof(Policies))]
    public void Probabilities_sum_to_one_and_match_the_choices(RankingPolicy policy)
    {
        var probabilities = Enumerable.Range(0, Candidates.Length).Select(i => policy.GetSelectionProbability(Candidates, i)).ToArray();
        var frequencies = Ranked.Frequencies(policy, Candidates, 40_000, seed: 21);

        Assert.Multiple(() =>
        {
            Assert.That(probabilities.Sum(), Is.EqualTo(1).Within(1e-8), policy.Name);
            for (var i = 0; i < Candidates.Length; i++)
            {
                Assert.That(probabilities[i], Is.InRange(0.0, 1.0), $"{policy.Name}, index {i}");
                Assert.That(frequencies[i], Is.EqualTo(probabilities[i]).Within(0.01), $"{policy.Name}, index {i}");
            }
        });
    }
}
