using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

public sealed class EpsilonGreedyPolicyTests
{
    private static readonly RankedCandidate[] Four = Ranked.Scores(("a", 0.9, 0.1), ("b", 0.7, 0.1), ("c", 0.5, 0.1), ("d", 0.3, 0.1));

    [Test]
    public void Selection_probability_is_one_minus_epsilon_plus_epsilon_over_k_for_the_greedy_pick_and_epsilon_over_k_otherwise()
    {
        var policy = new EpsilonGreedyPolicy(0.2);

        Assert.Multiple(() =>
        {
            Assert.That(policy.GetSelectionProbability(Four, 0), Is.EqualTo(0.85).Within(1e-15));
            for (var i = 1; i < 4; i++)
            {
                Assert.That(policy.GetSelectionProbability(Four, i), Is.EqualTo(0.05).Within(1e-15));
            }
        });
    }

    [Test]
    public void Chooses_with_the_stated_probabilities()
    {
        var policy = new EpsilonGreedyPolicy(0.2);
        var frequencies = Ranked.Frequencies(policy, Four, 40_000, seed: 9);

        Assert.Multiple(() =>
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.That(frequencies[i], Is.EqualTo(policy.GetSelectionProbability(Four, i)).Within(0.01), $"index {i}");
            }
        });
    }

    [Test]
    public void Zero_is_greedy_and_one_is_uniform()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new EpsilonGreedyPolicy(0).GetSelectionProbability(Four, 0), Is.EqualTo(1));
            Assert.That(new EpsilonGreedyPolicy(0).GetSelectionProbability(Four, 3), Is.Zero);
            Assert.That(Enumerable.Range(0, 4).Select(i => new EpsilonGreedyPolicy(1).GetSelectionProbability(Four, i)), Is.All.EqualTo(0.25));
        });
    }

    [Test]
    public void Ties_in_the_greedy_pick_share_its_part()
    {
        var candidates = Ranked.Scores(("a", 0.9, 0.1), ("b", 0.9, 0.1), ("c", 0.5, 0.1));
        var policy = new EpsilonGreedyPolicy(0.3);

        Assert.Multiple(() =>
        {
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.EqualTo((0.7 / 2) + 0.1).Within(1e-15));
            Assert.That(policy.GetSelectionProbability(candidates, 2), Is.EqualTo(0.1).Within(1e-15));
        });
    }

    [Test]
    public void Can_explore_around_a_cost_aware_choice()
    {
        var candidates = Ranked.Of(("best", 0.9, 0.8, 0.8, 1.0, 10.0), ("cheap", 0.85, 0.8, 0.75, 0.95, 1.0), ("poor", 0.4, 0.8, 0.3, 0.5, 0.5));
        var policy = new EpsilonGreedyPolicy(0.3, new CheapestWithinTolerancePolicy(0.1));

        Assert.Multiple(() =>
        {
            Assert.That(policy.Name, Is.EqualTo("epsilon-greedy(0.3, cheapest-within(0.1))"));
            Assert.That(policy.GetSelectionProbability(candidates, 1), Is.EqualTo(0.7 + 0.1).Within(1e-15));
            Assert.That(policy.GetSelectionProbability(candidates, 0), Is.EqualTo(0.1).Within(1e-15));
        });
    }

    [TestCase(-0.01)]
    [TestCase(1.01)]
    [TestCase(double.NaN)]
    public void Rejects_an_exploration_rate_outside_zero_to_one(double epsilon)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new EpsilonGreedyPolicy(epsilon));
    }

    [Test]
    public void Name_states_the_rate()
    {
        Assert.That(new EpsilonGreedyPolicy(0.1).Name, Is.EqualTo("epsilon-greedy(0.1)"));
    }
}
