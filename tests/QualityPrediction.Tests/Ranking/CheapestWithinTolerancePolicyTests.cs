using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

public sealed class CheapestWithinTolerancePolicyTests
{
    private static readonly RankedCandidate[] Candidates = Ranked.Of(
        ("premium", 90, 0.8, 85, 95, 10.0),
        ("mid", 87, 0.8, 80, 92, 3.0),
        ("small", 84, 0.8, 78, 90, 1.0),
        ("tiny", 60, 0.8, 50, 70, 0.1));

    [TestCase(0, 0)]
    [TestCase(2.9, 0)]
    [TestCase(3, 1)]
    [TestCase(5.99, 1)]
    [TestCase(6, 2)]
    [TestCase(30, 3)]
    public void Chooses_the_cheapest_candidate_within_the_tolerance_of_the_best(double tolerance, int expected)
    {
        var policy = new CheapestWithinTolerancePolicy(tolerance);
        Assert.Multiple(() =>
        {
            Assert.That(policy.Choose(Candidates, new Random(1)), Is.EqualTo(expected));
            Assert.That(policy.GetSelectionProbability(Candidates, expected), Is.EqualTo(1));
        });
    }

    [Test]
    public void Equal_costs_go_to_the_higher_score_and_full_ties_split()
    {
        var candidates = Ranked.Of(("a", 0.9, 0.8, 0.8, 1, 1.0), ("b", 0.88, 0.8, 0.8, 1, 1.0), ("c", 0.88, 0.8, 0.8, 1, 1.0));
        var policy = new CheapestWithinTolerancePolicy(0.05);
        var onlyTies = Ranked.Of(("b", 0.88, 0.8, 0.8, 1, 1.0), ("c", 0.88, 0.8, 0.8, 1, 1.0));

        Assert.Multiple(() =>
        {
            Assert.That(policy.Choose(candidates, new Random(1)), Is.Zero);
            Assert.That(policy.GetSelectionProbability(onlyTies, 0), Is.EqualTo(0.5));
            Assert.That(policy.GetSelectionProbability(onlyTies, 1), Is.EqualTo(0.5));
        });
    }

    [Test]
    public void A_missing_cost_is_an_error_naming_the_candidate()
    {
        var candidates = Ranked.Of(("priced", 0.9, 0.8, 0.8, 1.0, 1.0), ("unpriced", 0.2, 0.8, 0.1, 0.3, null));
        var error = Assert.Throws<ArgumentException>(() => new CheapestWithinTolerancePolicy(0.1).Choose(candidates, new Random(1)));
        Assert.That(error!.Message, Does.Contain("'unpriced'").And.Contain("cheapest-within(0.1)"));
    }

    [TestCase(-1.0)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void Rejects_a_negative_or_non_finite_tolerance(double tolerance)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new CheapestWithinTolerancePolicy(tolerance));
    }
}
