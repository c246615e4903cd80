namespace QualityPrediction.Ranking.Internal;

/// <summary>Reads the cost a cost-aware policy needs.</summary>
internal static class Costs
{
    public static double Require(RankedCandidate candidate, string policy) =>
        candidate.Cost ?? throw new ArgumentException(
            $"Policy '{policy}' needs a cost for every candidate, but candidate '{candidate.Name}' has none.",
            "candidates");

    public static void RequireAll(IReadOnlyList<RankedCandidate> candidates, string policy)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        for (var i = 0; i < candidates.Count; i++)
        {
            Require(candidates[i], policy);
        }
    }
}
