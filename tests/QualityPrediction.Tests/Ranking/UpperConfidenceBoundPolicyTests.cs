using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

public sealed class UpperConfidenceBoundPolicyTests
{
    [Test]
    public void Chooses_the_highest_upper_bound_even_below_the_best_score()
    {
        // a: well known, 0.70 ± 0.02; b: little evidence, 0.60 ± 0.25.
        var candidates = Ranked.Scores(("a", 0.70, 0.02), ("b", 0.60, 0.25));
        var policy = new UpperConfidenceBoundPolicy();

        Assert.Multiple(() =>
        {
            Assert.That(policy.Choose(candidates, new Random(1)), Is.EqualTo(1));
            Assert.That(policy.GetSelectionProbability(candidates, 1), Is.EqualTo(1));
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.Zero);
            Assert.That(policy.GetIndex(candidates[1]), Is.EqualTo(0.85).Within(1e-12));
        });
    }

    [Test]
    public void The_scale_sets_how_far_towards_the_upper_bound_it_looks()
    {
        var candidates = Ranked.Scores(("a", 0.70, 0.02), ("b", 0.60, 0.25));

        Assert.Multiple(() =>
        {
            Assert.That(new UpperConfidenceBoundPolicy(0).Choose(candidates, new Random(1)), Is.Zero, "scale 0 is greedy");
            Assert.That(new UpperConfidenceBoundPolicy(0.3).Choose(candidates, new Random(1)), Is.Zero, "0.60 + 0.3 × 0.25 = 0.675 < 0.70 + 0.006");
            Assert.That(new UpperConfidenceBoundPolicy(2).GetIndex(candidates[1]), Is.EqualTo(1.10).Within(1e-12));
        });
    }

    [Test]
    public void A_non_finite_upper_bound_is_an_error_naming_the_candidate()
    {
        var candidates = Ranked.Of(("a", 0.7, 0.5, 0.6, double.PositiveInfinity, null));
        var error = Assert.Throws<ArgumentException>(() => new UpperConfidenceBoundPolicy().Choose(candidates, new Random(1)));
        Assert.That(error!.Message, Does.Contain("'a'"));
    }

    [TestCase(-1.0)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void Rejects_a_negative_or_non_finite_scale(double scale)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new UpperConfidenceBoundPolicy(scale));
    }
}
