// begin-snippet: ranking-rank
using QualityPrediction;
using QualityPrediction.Ranking;
// end-snippet

namespace QualityPrediction.Docs.Tests.Snippets;

/// <summary>docs/ranking.md's example, compiled.</summary>
internal static class RankingSnippets
{
    public static void Rank(IQualityPredictor predictor)
    {
        // begin-snippet: ranking-rank
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
        // end-snippet
    }
}
