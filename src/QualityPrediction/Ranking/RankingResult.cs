namespace QualityPrediction.Ranking;

/// <summary>The outcome of one ranking call: every candidate ranked by predicted score, and the policy's choice with its selection probability.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class RankingResult
{
    private readonly RankingPolicy _policy;

    internal RankingResult(RankingPolicy policy, IReadOnlyList<RankedCandidate> candidates, int chosenIndex, double selectionProbability)
    {
        _policy = policy;
        Candidates = candidates;
        ChosenIndex = chosenIndex;
        SelectionProbability = selectionProbability;
        ChosenPrediction = candidates[chosenIndex].Prediction with { SelectionProbability = selectionProbability };
    }

    /// <summary>Gets the name of the policy that made the choice, with its parameters (e.g. <c>epsilon-greedy(0.1)</c>).</summary>
    public string Policy => _policy.Name;

    /// <summary>Gets every candidate, ordered by predicted score from highest to lowest (equal scores keep the input order).</summary>
    public IReadOnlyList<RankedCandidate> Candidates { get; }

    /// <summary>Gets the candidate with the highest predicted score (<c>Candidates[0]</c>), which is not necessarily the chosen one.</summary>
    public RankedCandidate Best => Candidates[0];

    /// <summary>Gets the index of the chosen candidate in <see cref="Candidates"/>.</summary>
    public int ChosenIndex { get; }

    /// <summary>Gets the chosen candidate.</summary>
    public RankedCandidate Chosen => Candidates[ChosenIndex];

    /// <summary>Gets the probability with which the policy chose <see cref="Chosen"/>, given these predictions (in (0, 1]).</summary>
    /// <remarks>Record it with the prediction: its inverse is the weight that corrects the selection bias when the outcome is later used for training (inverse-propensity weighting).</remarks>
    public double SelectionProbability { get; }

    /// <summary>Gets the chosen candidate's prediction with <see cref="QualityPredictionResult.SelectionProbability"/> set; record this one (same <see cref="QualityPredictionResult.PredictionId"/>) when the chosen candidate is used.</summary>
    public QualityPredictionResult ChosenPrediction { get; }

    /// <summary>Gets the probability with which the policy would have chosen the candidate at <paramref name="index"/>, given these predictions.</summary>
    /// <param name="index">The index in <see cref="Candidates"/>.</param>
    /// <returns>The selection probability in [0, 1].</returns>
    /// <remarks>Computed on demand by the policy (cheap for every built-in policy; a one-dimensional integral for <see cref="ThompsonSamplingPolicy"/>). Useful for off-policy evaluation.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside <see cref="Candidates"/>.</exception>
    public double GetSelectionProbability(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Candidates.Count);
        return index == ChosenIndex ? SelectionProbability : _policy.GetSelectionProbability(Candidates, index);
    }
}
