using QualityPrediction.Heuristics;
using QualityPrediction.Ranking;

namespace QualityPrediction.Tests.Ranking;

/// <summary>Runs the usage example of docs/ranking.md (keep the two in step).</summary>
public sealed class DocumentationExampleTests
{
    [Test]
    [SetCulture("en-US")] // the example formats numbers with the current culture; the assertion expects "78.00"
    public void The_usage_example_in_the_ranking_docs_runs()
    {
        var rules = new HeuristicRules
        {
            BaseScore = 70,
            Adjustments = { [WellKnownFeatures.Model] = new Dictionary<string, double> { ["gpt-4o-mini"] = 5, ["claude-3-haiku"] = 8, ["llama-3-8b"] = -10 } },
        };
        IQualityPredictor predictor = new RuleBasedHeuristicPredictor(rules, ScoreRange.Percent, tolerance: 10);
        using var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            // --- docs/ranking.md ---
            var ranker = new QualityRanker(predictor, new EpsilonGreedyPolicy(0.1), new Random(42)); // seed only for reproducible runs

            var turn = new PredictionContext().WithActionType("combat").WithScenario("crypt").WithPromptTokens(900);
            RankingCandidate[] candidates =
            [
                RankingCandidate.ForModel("openai", "gpt-4o-mini", cost: 0.15),
                RankingCandidate.ForModel("anthropic", "claude-3-haiku", cost: 0.25),
                RankingCandidate.ForModel("local", "llama-3-8b", cost: 0),
            ];

            RankingResult result = ranker.Rank(turn, candidates);
            foreach (var c in result.Candidates)
            {
                Console.WriteLine($"{c.Rank}. {c.Name}: {c.Score:F2} (confidence {c.Confidence:P0}, {c.Interval.Lower:F2}–{c.Interval.Upper:F2})");
            }

            // Use result.Chosen; keep result.ChosenPrediction (same PredictionId, SelectionProbability set) with the outcome.
            Console.WriteLine($"chosen: {result.Chosen.Name}, p = {result.SelectionProbability:F3}");
            // --- end ---

            Assert.Multiple(() =>
            {
                Assert.That(result.Candidates.Select(c => c.Name), Is.EqualTo(new[] { "anthropic/claude-3-haiku", "openai/gpt-4o-mini", "local/llama-3-8b" }));
                Assert.That(result.SelectionProbability, Is.EqualTo(result.ChosenIndex == 0 ? 0.9 + (0.1 / 3) : 0.1 / 3).Within(1e-12));
                Assert.That(result.ChosenPrediction.SelectionProbability, Is.EqualTo(result.SelectionProbability));
                Assert.That(output.ToString(), Does.Contain("1. anthropic/claude-3-haiku: 78.00").And.Contain("chosen: "));
            });
        }
        finally
        {
            Console.SetOut(original);
        }
    }
}
