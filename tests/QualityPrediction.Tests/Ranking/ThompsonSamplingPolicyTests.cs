using QualityPrediction.Ranking;
using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Tests.Ranking;

public sealed class ThompsonSamplingPolicyTests
{
    [Test]
    public void Fits_the_standard_deviation_from_a_ninety_percent_interval()
    {
        var candidates = Ranked.Scores(("a", 0.5, 1.6448536269514722));
        Assert.That(new ThompsonSamplingPolicy().GetStandardDeviation(candidates[0]), Is.EqualTo(1).Within(1e-12));
    }

    [Test]
    public void Uses_the_larger_half_width_of_a_clamped_interval_and_the_assumed_coverage_when_none_is_claimed()
    {
        var clamped = Ranked.Of(("top", 0.95, 0.5, 0.95 - 0.329, 1.0, null))[0];
        var unclaimed = new RankedCandidate(
            new RankingCandidate("rules"),
            new PredictionContext(),
            new QualityPredictionResult { Score = 0.5, Confidence = 0.5, Interval = new PredictionInterval(0.4, 0.6, 0), Source = PredictionSource.Heuristic },
            1);

        Assert.Multiple(() =>
        {
            Assert.That(new ThompsonSamplingPolicy().GetStandardDeviation(clamped), Is.EqualTo(0.329 / 1.6448536269514722).Within(1e-12));
            Assert.That(new ThompsonSamplingPolicy(assumedCoverage: 0.6826894921370859).GetStandardDeviation(unclaimed), Is.EqualTo(0.1).Within(1e-9));
            Assert.That(new ThompsonSamplingPolicy(spreadScale: 2, assumedCoverage: 0.6826894921370859).GetStandardDeviation(unclaimed), Is.EqualTo(0.2).Within(1e-9));
        });
    }

    [Test]
    public void Two_candidates_have_the_closed_form_probability()
    {
        // σ = 0.1 each: P(a > b) = Φ(0.1 / √0.02).
        var candidates = Ranked.Scores(("a", 0.6, 0.1 * 1.6448536269514722), ("b", 0.5, 0.1 * 1.6448536269514722));
        var policy = new ThompsonSamplingPolicy();
        var expected = NormalDistribution.Cdf(0.1 / Math.Sqrt(0.02));

        Assert.Multiple(() =>
        {
            Assert.That(expected, Is.EqualTo(0.760249938).Within(1e-9));
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.EqualTo(expected).Within(1e-12));
            Assert.That(policy.GetSelectionProbability(candidates, 1), Is.EqualTo(1 - expected).Within(1e-12));
            Assert.That(Ranked.Frequencies(policy, candidates, 40_000, seed: 2)[0], Is.EqualTo(expected).Within(0.01));
        });
    }

    [Test]
    public void Many_candidates_have_probabilities_that_sum_to_one_and_match_the_draws()
    {
        // Mixed widths, including one much narrower than the others, as after much evidence for one candidate.
        var candidates = Ranked.Scores(("a", 0.72, 0.01), ("b", 0.70, 0.15), ("c", 0.62, 0.30), ("d", 0.55, 0.05), ("e", 0.40, 0.40));
        var policy = new ThompsonSamplingPolicy();
        var probabilities = Enumerable.Range(0, candidates.Length).Select(i => policy.GetSelectionProbability(candidates, i)).ToArray();
        var frequencies = Ranked.Frequencies(policy, candidates, 60_000, seed: 8);

        Assert.Multiple(() =>
        {
            Assert.That(probabilities.Sum(), Is.EqualTo(1).Within(1e-8));
            for (var i = 0; i < candidates.Length; i++)
            {
                Assert.That(frequencies[i], Is.EqualTo(probabilities[i]).Within(0.008), $"index {i}");
            }
        });
    }

    [Test]
    public void The_quadrature_agrees_with_the_closed_form()
    {
        // A third variable far below the others forces the general (quadrature) path without changing the answer.
        double[] means = [0.6, 0.5, -1e6];
        double[] deviations = [0.1, 0.03, 1];
        var closed = NormalDistribution.Cdf(0.1 / Math.Sqrt(0.01 + 0.0009));

        Assert.Multiple(() =>
        {
            Assert.That(MaximumProbability.Compute(means, deviations, 0), Is.EqualTo(closed).Within(1e-9));
            Assert.That(MaximumProbability.Compute(means, deviations, 1), Is.EqualTo(1 - closed).Within(1e-9));
        });
    }

    [Test]
    public void Zero_width_intervals_are_point_masses_and_exact_ties_split()
    {
        var candidates = Ranked.Scores(("a", 0.7, 0), ("b", 0.7, 0), ("c", 0.5, 0.1));
        var policy = new ThompsonSamplingPolicy();
        var frequencies = Ranked.Frequencies(policy, candidates, 20_000, seed: 1);
        var pC = 1 - NormalDistribution.Cdf(0.2 / (0.1 / 1.6448536269514722));
        var pEach = (1 - pC) / 2;

        Assert.Multiple(() =>
        {
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.EqualTo(pEach).Within(1e-12));
            Assert.That(policy.GetSelectionProbability(candidates, 1), Is.EqualTo(pEach).Within(1e-12));
            Assert.That(policy.GetSelectionProbability(candidates, 2), Is.EqualTo(pC).Within(1e-9));
            Assert.That(frequencies[0], Is.EqualTo(pEach).Within(0.015));
            Assert.That(frequencies[1], Is.EqualTo(pEach).Within(0.015));
        });
    }

    [Test]
    public void A_point_mass_among_spread_candidates_is_integrated_across_its_step()
    {
        // b is a point mass at 0.6; a ~ N(0.5, 0.1): P(a wins) = P(a > 0.6) = 1 − Φ(1).
        var candidates = Ranked.Scores(("b", 0.6, 0), ("a", 0.5, 0.1 * 1.6448536269514722), ("c", -5, 0));
        var policy = new ThompsonSamplingPolicy();

        Assert.Multiple(() =>
        {
            Assert.That(policy.GetSelectionProbability(candidates, 1), Is.EqualTo(1 - NormalDistribution.Cdf(1)).Within(1e-7));
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.EqualTo(NormalDistribution.Cdf(1)).Within(1e-12));
            Assert.That(policy.GetSelectionProbability(candidates, 2), Is.Zero);
        });
    }

    [Test]
    public void A_spread_scale_of_zero_is_greedy()
    {
        var candidates = Ranked.Scores(("a", 0.7, 0.3), ("b", 0.6, 0.3));
        var policy = new ThompsonSamplingPolicy(spreadScale: 0);

        Assert.Multiple(() =>
        {
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.EqualTo(1));
            Assert.That(Ranked.Frequencies(policy, candidates, 100, seed: 1)[0], Is.EqualTo(1));
        });
    }

    [Test]
    public void A_non_finite_interval_is_an_error_naming_the_candidate()
    {
        var candidates = Ranked.Of(("a", 0.7, 0.5, double.NaN, 0.8, null));
        var error = Assert.Throws<ArgumentException>(() => new ThompsonSamplingPolicy().Choose(candidates, new Random(1)));
        Assert.That(error!.Message, Does.Contain("'a'"));
    }

    [Test]
    public void Rejects_invalid_parameters()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ThompsonSamplingPolicy(spreadScale: -1));
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ThompsonSamplingPolicy(spreadScale: double.NaN));
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ThompsonSamplingPolicy(assumedCoverage: 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ThompsonSamplingPolicy(assumedCoverage: 1));
        });
    }
}
