using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

public sealed class GreedyPolicyTests
{
    [Test]
    public void Chooses_the_highest_score_with_probability_one()
    {
        var candidates = Ranked.Scores(("a", 0.9, 0.01), ("b", 0.8, 0.5), ("c", 0.1, 0.9));
        var policy = new GreedyPolicy();

        Assert.Multiple(() =>
        {
            Assert.That(policy.Choose(candidates, new Random(1)), Is.Zero);
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.EqualTo(1));
            Assert.That(policy.GetSelectionProbability(candidates, 1), Is.Zero);
            Assert.That(policy.GetSelectionProbability(candidates, 2), Is.Zero);
        });
    }

    [Test]
    public void Does_not_rely_on_the_order_it_is_given()
    {
        var candidates = Ranked.Scores(("a", 0.2, 0.1), ("b", 0.7, 0.1), ("c", 0.4, 0.1));
        Assert.That(new GreedyPolicy().Choose(candidates, new Random(1)), Is.EqualTo(1));
    }

    [Test]
    public void Splits_exact_ties_uniformly()
    {
        var candidates = Ranked.Scores(("a", 0.7, 0.1), ("b", 0.7, 0.2), ("c", 0.7, 0.3), ("d", 0.2, 0.1));
        var policy = new GreedyPolicy();
        var frequencies = Ranked.Frequencies(policy, candidates, 30_000, seed: 4);

        Assert.Multiple(() =>
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.That(policy.GetSelectionProbability(candidates, i), Is.EqualTo(1.0 / 3).Within(1e-15));
                Assert.That(frequencies[i], Is.EqualTo(1.0 / 3).Within(0.015));
            }

            Assert.That(policy.GetSelectionProbability(candidates, 3), Is.Zero);
            Assert.That(frequencies[3], Is.Zero);
        });
    }

    [Test]
    public void Rejects_an_index_outside_the_candidates()
    {
        var candidates = Ranked.Scores(("a", 0.7, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GreedyPolicy().GetSelectionProbability(candidates, 1));
    }
}
