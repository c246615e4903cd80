using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

public sealed class QualityPerCostPolicyTests
{
    [Test]
    public void Chooses_the_most_quality_per_unit_of_cost()
    {
        // 0.9/10 = 0.09, 0.6/2 = 0.30, 0.3/1.5 = 0.20
        var candidates = Ranked.Of(("premium", 0.9, 0.8, 0.8, 1.0, 10.0), ("mid", 0.6, 0.8, 0.5, 0.7, 2.0), ("budget", 0.3, 0.8, 0.2, 0.4, 1.5));
        var policy = new QualityPerCostPolicy();

        Assert.Multiple(() =>
        {
            Assert.That(policy.Choose(candidates, new Random(1)), Is.EqualTo(1));
            Assert.That(policy.GetSelectionProbability(candidates, 1), Is.EqualTo(1));
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.Zero);
        });
    }

    [Test]
    public void The_baseline_measures_quality_above_what_is_worth_nothing()
    {
        // With baseline 0.5: (0.9−0.5)/10 = 0.04, (0.6−0.5)/2 = 0.05, (0.55−0.5)/0.5 = 0.10.
        var candidates = Ranked.Of(("premium", 0.9, 0.8, 0.8, 1.0, 10.0), ("mid", 0.6, 0.8, 0.5, 0.7, 2.0), ("budget", 0.55, 0.8, 0.5, 0.6, 0.5));
        Assert.Multiple(() =>
        {
            Assert.That(new QualityPerCostPolicy(0.5).Choose(candidates, new Random(1)), Is.EqualTo(2));
            Assert.That(new QualityPerCostPolicy(0).Choose(candidates, new Random(1)), Is.EqualTo(2), "0.55/0.5 = 1.1 beats 0.3 and 0.09 too");
            Assert.That(new QualityPerCostPolicy(0.58).Choose(candidates, new Random(1)), Is.Zero, "budget is below the baseline; 0.032 beats 0.01");
        });
    }

    [Test]
    public void Free_candidates_come_first_and_the_best_free_one_wins()
    {
        var candidates = Ranked.Of(("paid", 0.9, 0.8, 0.8, 1.0, 0.01), ("free-good", 0.5, 0.8, 0.4, 0.6, 0.0), ("free-poor", 0.2, 0.8, 0.1, 0.3, 0.0));
        Assert.That(new QualityPerCostPolicy().Choose(candidates, new Random(1)), Is.EqualTo(1));
    }

    [Test]
    public void A_missing_cost_is_an_error_naming_the_candidate()
    {
        var candidates = Ranked.Of(("priced", 0.9, 0.8, 0.8, 1.0, 1.0), ("unpriced", 0.6, 0.8, 0.5, 0.7, null));
        var policy = new QualityPerCostPolicy();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentException>(() => policy.Choose(candidates, new Random(1)))!.Message, Does.Contain("'unpriced'"));
            Assert.That(Assert.Throws<ArgumentException>(() => policy.GetSelectionProbability(candidates, 0))!.Message, Does.Contain("'unpriced'"));
        });
    }

    [Test]
    public void Rejects_a_non_finite_baseline()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new QualityPerCostPolicy(double.NaN));
    }
}
