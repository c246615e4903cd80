using System.Globalization;
using QualityPrediction.Internal;

namespace QualityPrediction.Ranking;

/// <summary>
/// Ranks candidates (for example provider/model pairs) by the quality an <see cref="IQualityPredictor"/> predicts for
/// them in one base context, and chooses one with a <see cref="RankingPolicy"/>, recording the choice's selection
/// probability.
/// </summary>
/// <remarks>
/// <para>
/// Each candidate is scored on a copy of the base context with the candidate's features set (a candidate that sets no
/// feature, or only values the base already has, is scored on the base context itself); all candidates go to the
/// predictor in one <see cref="IQualityPredictor.PredictBatch"/> call. The base context is never changed.
/// </para>
/// <para>
/// With the composed predictor of <c>AddQualityPrediction</c>, the prediction observers (the monitor, the feedback
/// store) see only the chosen candidate's prediction, <see cref="RankingResult.ChosenPrediction"/>, with its
/// <see cref="QualityPredictionResult.SelectionProbability"/> set: that is the prediction whose outcome will be
/// reported, and the probability is what inverse-propensity weighting needs later. The other candidates' predictions
/// are returned but not recorded.
/// </para>
/// <para>
/// Thread-safety: a ranker is thread-safe when its predictor and policies are (every built-in policy is). Without an
/// injected <see cref="Random"/> the policies draw from <see cref="Random.Shared"/>. An injected <see cref="Random"/>
/// (for example <c>new Random(42)</c> for reproducible runs) is used under a private lock, so it must not be shared
/// with other code; sequential calls on a seeded ranker with the same predictions then make the same choices, while
/// concurrent calls interleave their draws in an unspecified order.
/// </para>
/// </remarks>
public sealed class QualityRanker
{
    private readonly Random _random;
    private readonly Lock? _randomGate;

    /// <summary>Creates a ranker.</summary>
    /// <param name="predictor">The predictor that scores the candidates.</param>
    /// <param name="policy">The default policy; <see langword="null"/> for <see cref="GreedyPolicy"/>.</param>
    /// <param name="random">The source of randomness for the policies; <see langword="null"/> for <see cref="Random.Shared"/>. Pass a seeded instance for reproducible choices; the ranker then owns it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="predictor"/> is <see langword="null"/>.</exception>
    public QualityRanker(IQualityPredictor predictor, RankingPolicy? policy = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        Predictor = predictor;
        Policy = policy ?? new GreedyPolicy();
        _random = random ?? Random.Shared;
        _randomGate = random is null ? null : new Lock();
    }

    /// <summary>Gets the predictor that scores the candidates.</summary>
    public IQualityPredictor Predictor { get; }

    /// <summary>Gets the default policy.</summary>
    public RankingPolicy Policy { get; }

    /// <summary>Ranks the candidates and chooses one with the default <see cref="Policy"/>.</summary>
    /// <param name="baseContext">The features shared by every candidate (the turn, the prompt, …); not changed.</param>
    /// <param name="candidates">The candidates: at least one, with unique names.</param>
    /// <param name="cancellationToken">Cancels the predictions.</param>
    /// <returns>The candidates ranked by predicted score, and the choice with its selection probability.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="baseContext"/> or <paramref name="candidates"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">There are no candidates, one is <see langword="null"/>, two share a name, a context holds a value of the wrong kind for the predictor, or the policy lacks something it needs (such as a cost); the message names the candidate.</exception>
    /// <exception cref="InvalidOperationException">The predictor returned no result or a non-finite score for a candidate, or the policy returned an invalid index or probability.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public RankingResult Rank(PredictionContext baseContext, IEnumerable<RankingCandidate> candidates, CancellationToken cancellationToken = default) =>
        Rank(baseContext, candidates, Policy, cancellationToken);

    /// <summary>Ranks the candidates and chooses one with the given policy.</summary>
    /// <param name="baseContext">The features shared by every candidate (the turn, the prompt, …); not changed.</param>
    /// <param name="candidates">The candidates: at least one, with unique names.</param>
    /// <param name="policy">The policy for this call.</param>
    /// <param name="cancellationToken">Cancels the predictions.</param>
    /// <returns>The candidates ranked by predicted score, and the choice with its selection probability.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="baseContext"/>, <paramref name="candidates"/> or <paramref name="policy"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">There are no candidates, one is <see langword="null"/>, two share a name, a context holds a value of the wrong kind for the predictor, or the policy lacks something it needs (such as a cost); the message names the candidate.</exception>
    /// <exception cref="InvalidOperationException">The predictor returned no result or a non-finite score for a candidate, or the policy returned an invalid index or probability.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public RankingResult Rank(PredictionContext baseContext, IEnumerable<RankingCandidate> candidates, RankingPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseContext);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(policy);
        var list = Validate(candidates);
        cancellationToken.ThrowIfCancellationRequested();

        var contexts = new PredictionContext[list.Length];
        for (var i = 0; i < list.Length; i++)
        {
            contexts[i] = ContextFor(baseContext, list[i]);
        }

        var predictions = new QualityPredictionResult[list.Length];
        var observed = Predictor as IObservedQualityPredictor;
        if (observed is null)
        {
            Predictor.PredictBatch(contexts, predictions, cancellationToken);
        }
        else
        {
            observed.PredictBatchUnobserved(contexts, predictions, cancellationToken);
        }

        var order = new int[list.Length];
        for (var i = 0; i < order.Length; i++)
        {
            var prediction = predictions[i] ?? throw new InvalidOperationException(
                $"Predictor '{Predictor.Name}' returned no result for candidate '{list[i].Name}'.");
            if (!double.IsFinite(prediction.Score))
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Predictor '{Predictor.Name}' returned a non-finite score ({prediction.Score}) for candidate '{list[i].Name}'."));
            }

            order[i] = i;
        }

        // Highest score first; equal scores keep the input order.
        Array.Sort(order, (x, y) =>
        {
            var byScore = predictions[y].Score.CompareTo(predictions[x].Score);
            return byScore != 0 ? byScore : x.CompareTo(y);
        });

        var ranked = new RankedCandidate[list.Length];
        for (var rank = 0; rank < order.Length; rank++)
        {
            var i = order[rank];
            ranked[rank] = new RankedCandidate(list[i], contexts[i], predictions[i], rank + 1);
        }

        int chosen;
        if (_randomGate is null)
        {
            chosen = policy.Choose(ranked, _random);
        }
        else
        {
            lock (_randomGate)
            {
                chosen = policy.Choose(ranked, _random);
            }
        }

        if (chosen < 0 || chosen >= ranked.Length)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"Policy '{policy.Name}' chose index {chosen}, outside the {ranked.Length} candidates."));
        }

        var probability = policy.GetSelectionProbability(ranked, chosen);
        if (!(probability is > 0 and <= 1))
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"Policy '{policy.Name}' chose candidate '{ranked[chosen].Name}' but reports a selection probability of {probability}; it must lie in (0, 1]."));
        }

        var result = new RankingResult(policy, ranked, chosen, probability);
        observed?.Record(ranked[chosen].Context, result.ChosenPrediction);
        return result;
    }

    private static RankingCandidate[] Validate(IEnumerable<RankingCandidate> candidates)
    {
        var list = candidates.ToArray();
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one candidate is needed to rank.", nameof(candidates));
        }

        var seen = new Dictionary<string, int>(list.Length, StringComparer.Ordinal);
        for (var i = 0; i < list.Length; i++)
        {
            var candidate = list[i] ?? throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The candidate at index {i} is null."),
                nameof(candidates));
            if (!seen.TryAdd(candidate.Name, i))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Candidate names must be unique, but '{candidate.Name}' appears at index {seen[candidate.Name]} and at index {i}."),
                    nameof(candidates));
            }
        }

        return list;
    }

    private static PredictionContext ContextFor(PredictionContext baseContext, RankingCandidate candidate)
    {
        var needsCopy = false;
        foreach (var (name, value) in candidate.Features)
        {
            if (!baseContext.TryGetValue(name, out var existing) || existing != value)
            {
                needsCopy = true;
                break;
            }
        }

        if (!needsCopy)
        {
            return baseContext;
        }

        var context = baseContext.Clone();
        foreach (var (name, value) in candidate.Features)
        {
            context.Set(name, value);
        }

        return context;
    }
}
