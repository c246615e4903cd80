namespace QualityPrediction.Ranking.Internal;

/// <summary>Deterministic choices: the most preferred candidate, with exact ties split uniformly at random.</summary>
internal static class ArgMax
{
    /// <summary>Chooses uniformly among the candidates that <paramref name="compare"/> ranks highest; draws from <paramref name="random"/> only when there is a tie.</summary>
    public static int Choose<TState>(IReadOnlyList<RankedCandidate> candidates, TState state, Func<TState, RankedCandidate, RankedCandidate, int> compare, Random random)
    {
        var best = FindBest(candidates, state, compare, out var ties);
        if (ties == 1)
        {
            return best;
        }

        var pick = random.Next(ties);
        for (var i = best; i < candidates.Count; i++)
        {
            if (compare(state, candidates[i], candidates[best]) == 0 && pick-- == 0)
            {
                return i;
            }
        }

        return best;
    }

    /// <summary>Gets 1/(number of ties) for a top candidate and 0 for any other.</summary>
    public static double Probability<TState>(IReadOnlyList<RankedCandidate> candidates, TState state, Func<TState, RankedCandidate, RankedCandidate, int> compare, int index)
    {
        CheckIndex(candidates, index);
        var best = FindBest(candidates, state, compare, out var ties);
        return compare(state, candidates[index], candidates[best]) == 0 ? 1.0 / ties : 0.0;
    }

    public static void CheckIndex(IReadOnlyList<RankedCandidate> candidates, int index)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, candidates.Count);
    }

    private static int FindBest<TState>(IReadOnlyList<RankedCandidate> candidates, TState state, Func<TState, RankedCandidate, RankedCandidate, int> compare, out int ties)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("There are no candidates to choose from.", nameof(candidates));
        }

        var best = 0;
        ties = 1;
        for (var i = 1; i < candidates.Count; i++)
        {
            var order = compare(state, candidates[i], candidates[best]);
            if (order > 0)
            {
                best = i;
                ties = 1;
            }
            else if (order == 0)
            {
                ties++;
            }
        }

        return best;
    }
}
