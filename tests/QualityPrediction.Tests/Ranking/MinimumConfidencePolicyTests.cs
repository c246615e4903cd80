using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

public sealed class MinimumConfidencePolicyTests
{
    [Test]
    public void Chooses_the_best_score_among_confident_enough_candidates()
    {
        var candidates = Ranked.Of(
            ("unsure-best", 0.9, 0.3, 0.5, 1.0, null),
            ("sure-good", 0.7, 0.85, 0.65, 0.75, null),
            ("sure-poor", 0.4, 0.95, 0.38, 0.42, null));
        var policy = new MinimumConfidencePolicy(0.8);

        Assert.Multiple(() =>
        {
            Assert.That(policy.Choose(candidates, new Random(1)), Is.EqualTo(1));
            Assert.That(policy.GetSelectionProbability(candidates, 1), Is.EqualTo(1));
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.Zero);
        });
    }

    [Test]
    public void When_none_is_confident_enough_chooses_the_most_confident_then_the_narrowest()
    {
        var candidates = Ranked.Of(
            ("a", 0.9, 0.3, 0.5, 1.0, null),
            ("b", 0.6, 0.5, 0.4, 0.8, null),
            ("c", 0.5, 0.5, 0.45, 0.55, null));
        var policy = new MinimumConfidencePolicy(0.8);

        Assert.Multiple(() =>
        {
            Assert.That(policy.Choose(candidates, new Random(1)), Is.EqualTo(2), "b and c are equally confident; c's interval is narrower");
            Assert.That(policy.GetSelectionProbability(candidates, 2), Is.EqualTo(1));
        });
    }

    [Test]
    public void With_a_minimum_of_zero_it_is_greedy()
    {
        var candidates = Ranked.Of(("a", 0.9, 0.0, 0.5, 1.0, null), ("b", 0.6, 1.0, 0.6, 0.6, null));
        Assert.That(new MinimumConfidencePolicy(0).Choose(candidates, new Random(1)), Is.Zero);
    }

    [Test]
    public void Candidates_equal_on_every_key_share_the_probability()
    {
        var candidates = Ranked.Of(("a", 0.5, 0.5, 0.4, 0.6, null), ("b", 0.5, 0.5, 0.4, 0.6, null));
        var policy = new MinimumConfidencePolicy(0.9);
        Assert.That(policy.GetSelectionProbability(candidates, 0), Is.EqualTo(0.5));
    }

    [Test]
    public void Rounding_noise_in_the_interval_width_does_not_decide()
    {
        // Same confidence and the same width in fact (0.2 ± 0.1 vs 0.8 ± 0.1), different in the last bits.
        var candidates = Ranked.Of(("low", 0.2, 0.3, 0.2 - 0.1, 0.2 + 0.1, null), ("high", 0.8, 0.3, 0.8 - 0.1, 0.8 + 0.1, null));
        Assert.That(candidates[0].Interval.Width, Is.Not.EqualTo(candidates[1].Interval.Width), "the premise: the widths differ in floating point");
        Assert.That(new MinimumConfidencePolicy(0.9).Choose(candidates, new Random(1)), Is.EqualTo(1), "equal evidence: the higher score wins");
    }

    [TestCase(-0.1)]
    [TestCase(1.1)]
    [TestCase(double.NaN)]
    public void Rejects_a_minimum_outside_zero_to_one(double minimum)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new MinimumConfidencePolicy(minimum));
    }

    [Test]
    public void Name_states_the_minimum()
    {
        Assert.That(new MinimumConfidencePolicy(0.75).Name, Is.EqualTo("minimum-confidence(0.75)"));
    }
}
