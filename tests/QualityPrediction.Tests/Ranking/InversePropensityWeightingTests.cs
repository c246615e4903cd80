using QualityPrediction.Ranking;
using QualityPrediction.Ranking.Internal;

namespace QualityPrediction.Tests.Ranking;

/// <summary>
/// Why the recorded selection probability matters: when the chance of being chosen depends on the context, the
/// outcomes logged for a candidate over-represent the contexts where it was preferred. Weighting each logged outcome
/// by 1/p undoes that.
/// </summary>
public sealed class InversePropensityWeightingTests
{
    private const double Noise = 0.15;

    // True mean quality by candidate and action type; both kinds of turn are equally common.
    private static readonly Dictionary<string, double> Truth = new(StringComparer.Ordinal)
    {
        ["specialist|combat"] = 0.8,
        ["specialist|dialogue"] = 0.4,
        ["generalist|combat"] = 0.6,
        ["generalist|dialogue"] = 0.6,
    };

    [TestCase(3, 4)]
    [TestCase(5, 6)]
    [TestCase(7, 8)]
    public void Weighting_by_the_inverse_selection_probability_recovers_the_average_over_contexts(int policySeed, int worldSeed)
    {
        var learner = new NormalPosteriorLearner(Noise, tolerance: 0.05);
        foreach (var key in Truth.Keys)
        {
            learner.SetPrior(key, 0.5, 0.2);
        }

        var ranker = new QualityRanker(learner, new EpsilonGreedyPolicy(0.2), new Random(policySeed));
        var world = new Random(worldSeed);
        RankingCandidate[] candidates = [RankingCandidate.ForModel("sim", "specialist"), RankingCandidate.ForModel("sim", "generalist")];
        var log = new List<(string Model, double Outcome, double Probability)>();
        for (var turn = 0; turn < 4000; turn++)
        {
            var context = new PredictionContext().WithActionType(world.Next(2) == 0 ? "combat" : "dialogue");
            var result = ranker.Rank(context, candidates);
            var model = result.Chosen.Candidate.Features[WellKnownFeatures.Model].Category!;
            var key = NormalPosteriorLearner.KeyOf(context, model);
            var outcome = Truth[key] + (Noise * NormalDistribution.Sample(world));
            learner.Observe(key, outcome);
            log.Add((model, outcome, result.ChosenPrediction.SelectionProbability!.Value));
        }

        var specialist = log.Where(l => l.Model == "specialist").ToArray();
        var naive = specialist.Average(l => l.Outcome);
        var weighted = specialist.Sum(l => l.Outcome / l.Probability) / specialist.Sum(l => 1 / l.Probability);
        TestContext.Out.WriteLine($"specialist: {specialist.Length} logged turns; plain mean {naive:F3}, weighted mean {weighted:F3}, true average over turns 0.600");

        Assert.Multiple(() =>
        {
            // The specialist is chosen mostly in combat, where it shines: the plain mean of its outcomes overstates it.
            Assert.That(naive, Is.GreaterThan(0.7));
            Assert.That(weighted, Is.EqualTo(0.6).Within(0.03));
        });
    }
}
